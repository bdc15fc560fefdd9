"""Facts stated in the text: the publication date, the outlet and the authors (all on simplified text)."""

from datetime import date

import pytest

from archive.ingest.extract import dateline_date, find_credits, find_outlet, stated_date
from archive.ingest.script import matching_form

HEADLINE = "遵义警方推行“赶场警务” 把平安送到乡场上"

# --- stated_date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "2013年11月22日  法制日报",
        "2013-11-22 10:20  来源:人民公安报  作者:王建军",
        "发布时间:2013/11/22",
        "2013.11.22 浏览次数:35",
        "2013 年 11 月 22 日",
    ],
)
def test_stated_date_reads_each_header_format(line):
    assert stated_date([HEADLINE, line]) == date(2013, 11, 22)


def test_stated_date_takes_the_first_date():
    assert stated_date(["2015-03-08 10:20", "2014-01-02"]) == date(2015, 3, 8)


def test_stated_date_skips_impossible_and_future_dates():
    assert stated_date(["2013-13-45", "2099-01-01", "2015-03-08"]) == date(2015, 3, 8)


def test_stated_date_without_a_full_date_is_none():
    assert stated_date([HEADLINE, "10月12日", "来源:人民公安报"]) is None


# --- dateline_date --------------------------------------------------------------------------


def dateline(paragraphs: list[str]):
    return dateline_date(paragraphs, "\n\n".join(paragraphs))


ANCHORED = "2011年6月,浙江省首个网上公安局落户台州。群众足不出户,就能在网上申请证照。两年多来,访问量突破百万人次。"


def test_dateline_year_from_the_same_date_written_in_full():
    paragraphs = [
        "2013年11月22日,台州市公安局召开新闻发布会。",
        "全市共建有社区警务室135个。",
        "本报台州(浙江)11月22日电",
    ]
    assert dateline(paragraphs) == (
        date(2013, 11, 22),
        "dateline, year from the same date in full",
    )


def test_dateline_year_is_not_guessed_from_years_since_an_event():
    paragraphs = [ANCHORED, "今年以来,平台共受理群众网上申请12万余件。", "本报台州(浙江)11月22日电"]
    assert dateline(paragraphs) == (None, "")


def test_dateline_at_the_start_of_the_first_paragraph():
    paragraphs = ["3月4日讯每逢赶场天,简阳市石桥镇的集市上总能看到警察。", "2012年3月4日是简阳的赶场天。"]
    assert dateline(paragraphs) == (
        date(2012, 3, 4),
        "dateline, year from the same date in full",
    )


def test_dateline_is_only_looked_for_in_the_first_and_last_two_paragraphs():
    paragraphs = ["陈海峰说。", "本报海口10月21日电", "2013年10月21日", "群众纷纷点赞。", "记者在现场看到。"]
    assert dateline(paragraphs) == (None, "")


def test_dateline_without_a_year_is_none():
    paragraphs = ["陈海峰说,推行路长制更深的用意是拉近警民距离。", "(据新华社海口10月21日电)"]
    assert dateline(paragraphs) == (None, "")


def test_dateline_with_lost_digits_is_none():
    paragraphs = ["2013年10月21日,海口市公安局召开新闻发布会。", "(据新华社???0月21日电)"]
    assert dateline(paragraphs) == (None, "")


# --- find_outlet ----------------------------------------------------------------------------


def test_outlet_from_a_source_tag():
    assert find_outlet(["[来源:新华社] [作者:符明] [编辑:吴晓丹]"], "", []) == "新华社"


def test_outlet_from_a_source_line():
    assert find_outlet(["2015-03-08 10:20  来源:人民公安报  作者:王建军"], "", []) == "人民公安报"


def test_outlet_from_a_news_agency_dateline():
    assert find_outlet([], "陈海峰说,要拉近警民距离。\n(据新华社海口10月21日电)", []) == "新华社"


def test_outlet_from_a_newspaper_reporter():
    assert (
        find_outlet([], "《法制日报》记者近日在台州走访发现,过去要跑几趟才能办成的事,如今在网上就能办好。", [])
        == "法制日报"
    )


def test_outlet_from_an_interview_given_to_a_newspaper():
    text = "10月11日,鹰潭市公安局局长接受《新法治报》专访时,介绍了“五小”民生警务。"
    assert find_outlet([], text, []) == "新法治报"


def test_outlet_of_a_forum_post_is_the_board():
    assert (
        find_outlet(["查看: 1166|回复: 3"], "3月4日讯每逢赶场天,集市上总能看到民警。", [], board="简州人论坛")
        == "简州人论坛"
    )


def test_outlet_from_the_site_named_in_its_copyright_notice():
    chrome = ["版权声明:", "·凡注明来源为“椰风网”的所有文字、图片、音视频等作品,版权均属椰风网所有。"]
    assert find_outlet(chrome, "陈海峰说,要拉近警民距离。", chrome) == "椰风网"


def test_outlet_from_the_site_named_in_its_follow_us_line():
    chrome = ["微信公众平台:搜索“宣讲家”或扫描下面的二维码:"]
    assert find_outlet(chrome, "相信群众、依靠群众。", chrome) == "宣讲家"


def test_a_stated_source_wins_over_the_site():
    chrome = ["·凡注明来源为“椰风网”的所有文字,版权均属椰风网所有。"]
    assert find_outlet(["[来源:新华社]", *chrome], "陈海峰说。", chrome) == "新华社"


def test_no_outlet():
    assert find_outlet(["close"], "陈海峰说,要拉近警民距离。", []) == ""


@pytest.mark.parametrize(
    "text",
    ["据群众举报,民警在小区内抓获一名盗窃嫌疑人。", "据警方通报,嫌疑人已被依法刑事拘留。"],
    ids=["tip-off", "police-notice"],
)
def test_a_tip_off_or_police_notice_is_not_an_outlet(text):
    assert find_outlet([], text, []) == ""


def test_outlet_from_a_source_line_with_a_full_width_colon_in_its_matching_form():
    assert find_outlet([matching_form("来源：人民公安报")], "", []) == "人民公安报"


# --- find_credits ---------------------------------------------------------------------------


def test_a_source_tag_line_credits_the_editor_apart_from_the_author():
    credits = find_credits(["[来源:新华社] [作者:符明] [编辑:吴晓丹]"])
    assert credits.authors == ["符明"]
    assert credits.editors == ["吴晓丹"]


def test_authors_from_an_author_field():
    assert find_credits(["2015-03-08 10:20  来源:人民公安报  作者:王建军"]).authors == ["王建军"]


def test_authors_from_reporter_and_correspondent_bylines_with_names_written_together():
    assert find_credits(["  □本报记者陈立新", "  □本报通讯员杨帆郑国华"]).authors == ["陈立新", "杨帆", "郑国华"]


def test_text_and_photo_credits_part_writers_from_the_photographer():
    credits = find_credits(["□文/记者刘晓燕周建□图/记者邓涛"])
    assert credits.authors == ["刘晓燕", "周建"]
    assert credits.photographers == ["邓涛"]


def test_authors_from_a_bracketed_byline():
    assert find_credits(["(记者 张海洋 通讯员 李翔 王丽)"]).authors == ["张海洋", "李翔", "王丽"]


def test_authors_are_listed_once():
    assert find_credits(["□本报记者陈立新", "作者:陈立新"]).authors == ["陈立新"]


def test_no_authors_in_lines_without_a_byline():
    credits = find_credits(["close", "相关链接:", "陈海峰说,要拉近警民距离。", "(责任编辑:李红)"])
    assert credits.authors == []
    assert credits.editors == ["李红"]


def test_a_trailing_she_credits_the_names_before_it_with_the_picture():
    credits = find_credits(["(记者 秦方 摄)"])
    assert credits.authors == []
    assert credits.photographers == ["秦方"]


def test_a_photo_label_wins_over_the_reporter_rank_beside_it():
    credits = find_credits(["图/记者秦方 文/记者王建军"])
    assert credits.photographers == ["秦方"]
    assert credits.authors == ["王建军"]


def test_a_byline_at_the_start_of_the_first_paragraph():
    credits = find_credits([], opening="本报讯(记者 王建军 通讯员 罗丽)近日,")
    assert credits.authors == ["王建军", "罗丽"]


def test_an_editor_line_after_proofreading_ends_at_the_next_label():
    credits = find_credits(["责任编辑:李红 校对:张明"])
    assert credits.editors == ["李红"]
    assert credits.authors == []
