"""parse_thread on a Discuz-style page: the first post is the article, the replies are comments."""

from datetime import datetime

import pytest

from archive.ingest.draft import Comment
from archive.ingest.forum import is_thread, parse_thread, parse_time
from archive.ingest.layout import strip_board_tag
from tests.dump_fixtures import ALL, FORUM, prepared_lines

FIRST_REPLY = "赶场天确实看到警察了。\n希望不是一阵风!"


@pytest.fixture(scope="module")
def thread():
    return parse_thread(*prepared_lines(FORUM))


def test_the_fixture_is_a_thread_and_the_others_are_not():
    assert [name for name in ALL if is_thread(prepared_lines(name)[1])] == [FORUM]


def test_title_is_the_last_headline_before_the_first_post_without_its_board_tag(thread):
    assert thread.title == "逢场天见警察 简阳公安“赶场警务”让村民安心"


def test_board_is_the_forum_name_on_the_first_line(thread):
    assert thread.board == "简州人论坛"


def test_posted_at_is_the_time_of_the_first_post(thread):
    assert thread.posted_at == datetime(2012, 3, 5, 9, 12, 30)


def test_body_begins_with_the_first_sentence_of_the_first_post(thread):
    assert thread.paragraphs[0] == (
        "3月4日讯每逢赶场天,简阳市石桥镇的集市上总能看到一支“警务小分队”的身影。"
        "这是简阳市公安局推出“赶场警务”后,乡场上出现的新变化。"
    )


def test_body_ends_with_the_last_sentence_of_the_first_post(thread):
    assert thread.paragraphs[-1] == (
        "据统计,“赶场警务”推行两个多月来,全市共开展赶场巡逻600余次,现场调解纠纷42起,抓获扒窃嫌疑人9名。"
    )


def test_keeps_every_paragraph_of_the_first_post(thread):
    assert len(thread.paragraphs) == 6


def test_no_forum_chrome_in_the_body(thread):
    body = "\n".join(thread.paragraphs)
    chrome = [
        "简州人论坛", "找回密码", "马上注册", "QQ登录", "快速开始", "查看:", "回复:", "新闻转播", "复制链接",
        "发表于", "显示全部楼层", "阅读模式", "来自", "滑块验证", "积分规则", "Archiver", "GMT+8", "Discuz",
        "Copyright", "返回顶部",
    ]  # fmt: skip
    assert [line for line in chrome if line in body] == []


def test_no_reply_text_in_the_body(thread):
    body = "\n".join(thread.paragraphs)
    assert [c.text for c in thread.comments if c.text in body] == []
    assert "一阵风" not in body


def test_replies_become_comments(thread):
    assert thread.comments == [
        Comment("雁江老李", datetime(2012, 3, 5, 10, 1, 7), FIRST_REPLY),
        Comment("楼主", datetime(2012, 3, 5, 10, 15, 42), "会坚持下去的,大家监督", "雁江老李", FIRST_REPLY),
        Comment("", datetime(2012, 3, 5, 11, 20, 18), "我们镇上也有,给民警点赞"),
    ]


def test_quoted_reply_names_the_author_of_the_first_reply(thread):
    first, answer = thread.comments[0], thread.comments[1]
    assert answer.quote_author == first.author == "雁江老李"
    assert answer.quote_text == first.text


def test_header_runs_to_the_first_post_header():
    lines, simplified = prepared_lines(FORUM)
    header = parse_thread(lines, simplified).header
    assert lines[header[-1]].startswith("发表于 2012-3-5 09:12:30")
    assert header == list(range(header[-1] + 1))


@pytest.mark.parametrize(
    "title, stripped",
    [
        ("【新闻转播】逢场天见警察", "逢场天见警察"),
        ("[转载] 逢场天见警察", "逢场天见警察"),
        ("逢场天见警察", "逢场天见警察"),
    ],
)
def test_strip_board_tag(title, stripped):
    assert strip_board_tag(title) == stripped


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("2012-3-5 10:01:07", datetime(2012, 3, 5, 10, 1, 7)),
        ("2012-3-5 10:01", datetime(2012, 3, 5, 10, 1)),
        ("2012-03-05  10:01", datetime(2012, 3, 5, 10, 1)),
        ("2012-13-05 10:01", None),
    ],
)
def test_parse_time(text, parsed):
    assert parse_time(text) == parsed
