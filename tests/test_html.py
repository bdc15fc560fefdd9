"""looks_like_html and html_to_text: saved web pages -> (title, text) without page chrome."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.decode import decode_dump
from archive.ingest.html import html_to_text, looks_like_html

FIXTURES = Path(__file__).parent / "fixtures"

PORTAL_TEXT = """三亚推行路长制 民警协警当起路管员

2019-05-20 09:15 来源：海南日报 作者：王 洁

本报三亚5月19日电\u3000三亚市公安局推行路长制，民警和协警担任路管员，负责辖区道路的交通秩序。

“路长”每天巡查路段，发现问题当场处置，群众满意度明显提升。
全市共划分路段126个。

据介绍，路长制实施以来，城区交通事故同比下降23%，警情&投诉均有减少。"""


@pytest.fixture
def portal_page() -> str:
    return (FIXTURES / "portal_page.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "markup",
    [
        "<!DOCTYPE html><html><body>正文</body></html>",
        "\n  <!doctype HTML>\n<html lang='zh'>",
        "<html>\n<head><title>标题</title>",
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">',
        "\ufeff<!-- saved from url=(0042)http://www.example.cn/ -->\n<html>",
    ],
)
def test_page_starting_like_html_is_html(markup):
    assert looks_like_html(markup) is True


def test_fragment_with_several_typical_tags_is_html():
    assert looks_like_html("<div class='content'><p>民警巡逻。</p><p>群众满意。<br>完</p></div>") is True


@pytest.mark.parametrize(
    "text",
    [
        "三亚市公安局推行路长制，民警和协警担任路管员。\n\n路长每天巡查路段。",
        "《枫桥经验》一书<上册>出版，警民关系<和谐>。",
        "网友回帖：楼主说得对<br>，顶一个！",
        "",
    ],
)
def test_plain_text_dump_is_not_html(text):
    assert looks_like_html(text) is False


def test_portal_page_is_html(portal_page):
    assert looks_like_html(portal_page) is True


def test_portal_page_title_comes_from_h1_not_from_header_logo(portal_page):
    title, _ = html_to_text(portal_page)
    assert title == "三亚推行路长制 民警协警当起路管员"


def test_portal_page_text_keeps_article_blocks_and_nothing_else(portal_page):
    _, text = html_to_text(portal_page)
    assert text == PORTAL_TEXT


@pytest.mark.parametrize(
    "chrome",
    ["海口网", "登录", "首页", "您当前的位置", "分享到微信", "警保联控", "请输入评论", "发表评论", "热点排行",
     "Copyright", "琼ICP备", "统计代码", "页面加载完成", "编辑部注", "text-indent"],
)  # fmt: skip
def test_portal_page_chrome_is_removed(portal_page, chrome):
    _, text = html_to_text(portal_page)
    assert chrome not in text


@pytest.mark.parametrize(
    ("page_title", "expected"),
    [
        ("三亚推行路长制_海口网", "三亚推行路长制"),
        ("警务广场见实效_海南新闻_海口网", "警务广场见实效"),
        ("枫桥经验湖州样本 - 中国警察网", "枫桥经验湖州样本"),
        ("枫桥经验湖州样本 | 人民网", "枫桥经验湖州样本"),
        ("2019-05-20 民警巡逻记", "2019-05-20 民警巡逻记"),
        ("路长制", "路长制"),
    ],
)
def test_title_without_h1_comes_from_title_tag_without_site_name(page_title, expected):
    markup = f"<html><head><title>{page_title}</title></head><body><p>正文。</p></body></html>"
    assert html_to_text(markup) == (expected, "正文。")


def test_page_without_h1_or_title_has_no_title():
    assert html_to_text("<html><body><p>民警巡逻。</p></body></html>") == (None, "民警巡逻。")


def test_h1_leads_the_text_even_after_a_dateline():
    markup = "<body><div class='date'>2019-05-20</div><h1>民警巡逻记</h1><p>正文。</p></body>"
    assert html_to_text(markup) == ("民警巡逻记", "民警巡逻记\n\n2019-05-20\n\n正文。")


def test_inline_elements_are_joined_without_spaces():
    markup = "<p>三亚<a href='#'>公安</a><strong>推行</strong><span>路长制</span>。</p>"
    assert html_to_text(markup) == (None, "三亚公安推行路长制。")


def test_source_line_breaks_between_chinese_characters_vanish():
    markup = "<p>\n    三亚市公安局推行路长制，\n    民警和协警\n    担任路管员。\n</p>"
    assert html_to_text(markup) == (None, "三亚市公安局推行路长制，民警和协警担任路管员。")


def test_source_line_breaks_become_a_space_only_away_from_chinese_characters():
    assert html_to_text("<p>Police\nreport\n2019\n年\n5月</p>") == (None, "Police report 2019年5月")


def test_br_and_block_elements_start_new_lines():
    markup = "<div>第一行<br>第二行</div><ul><li>甲</li><li>乙</li></ul><table><tr><td>丙</td><td>丁</td></tr></table>"
    assert html_to_text(markup) == (None, "第一行\n第二行\n\n甲\n乙\n\n丙\n丁")


def test_runs_of_blank_lines_collapse_to_one():
    markup = "<p>甲</p><p></p><p>&nbsp;</p><br><br><br><div><div><p>乙</p></div></div>"
    assert html_to_text(markup) == (None, "甲\n\n乙")


def test_entities_are_decoded():
    markup = "<p>&ldquo;路长&rdquo;&amp;&lt;警民&gt;&#x4E00;&#20108;&nbsp;三&copy;</p>"
    assert html_to_text(markup) == (None, "“路长”&<警民>一二 三©")


def test_comments_are_dropped():
    assert html_to_text("<p>民警<!-- 广告位 -->巡逻</p>") == (None, "民警巡逻")


def test_chrome_word_on_a_wrapper_holding_the_article_does_not_remove_it():
    markup = "<div class='layout-with-sidebar'><p>三亚市公安局推行路长制。</p><div class='sidebar'>热门</div></div>"
    assert html_to_text(markup) == (None, "三亚市公安局推行路长制。")


def test_header_inside_an_article_is_kept():
    markup = "<header><h1>海口网</h1></header><article><header><h1>路长制见实效</h1></header><p>正文。</p></article>"
    assert html_to_text(markup) == ("路长制见实效", "路长制见实效\n\n正文。")


def test_gbk_encoded_page_is_decoded_then_converted():
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>湖州推行警务广场_中国警察网</title></head>"
        "<body><div id='nav'>首页 | 警务动态</div>"
        "<div class='content'><p>湖州市公安局坚持和发展枫桥经验，实施警务广场战略。</p>"
        "<p>派出所民警走访群众，帮助解决户口迁移难题。</p></div>"
        "<div class='footer'>版权所有 浙ICP备05000002号</div></body></html>"
    )
    decoded = decode_dump(markup.encode("gbk"))
    assert decoded.encoding == "gb18030"
    assert looks_like_html(decoded.text) is True
    assert html_to_text(decoded.text) == (
        "湖州推行警务广场",
        "湖州市公安局坚持和发展枫桥经验，实施警务广场战略。\n\n派出所民警走访群众，帮助解决户口迁移难题。",
    )


@pytest.mark.parametrize(
    "markup",
    ["", "   ", "<", "<p>未闭合的段落<div>", "</div></p></html>", "<html><body><p>甲<p>乙</table>",
     "\x00<p>甲\x00乙</p>", "<p>\ud800</p>", "<div>" * 3000 + "深" + "</div>" * 3000, "<p" * 500],
)  # fmt: skip
def test_malformed_markup_does_not_crash(markup):
    title, text = html_to_text(markup)
    assert title is None
    assert isinstance(text, str) and "\x00" not in text


_PIECES = st.sampled_from(
    ["<p>", "</p>", "<div class='nav'>", "</div>", "<br>", "<h1>", "</h1>", "<title>", "</title>", "<script>",
     "<!--", "-->", "&nbsp;", "&amp;", "<", ">", "\r\n", "\x00", "三亚", "公安", "<table><tr><td>", "<header>",
     "<article>", "<![CDATA[", "<?xml ?>", "<!DOCTYPE html>"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40))
def test_any_markup_gives_a_tidy_result(pieces):
    markup = "".join(pieces)
    looks_like_html(markup)
    title, text = html_to_text(markup)
    assert title is None or (title and "\n" not in title)
    assert "\r" not in text and "\n\n\n" not in text and text == text.strip()
