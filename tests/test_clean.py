"""Cleaning: pinyin inserted after characters, characters lost as "?", and page chrome."""

import pytest

from archive.ingest.clean import (
    count_lost_characters,
    is_dateline,
    is_hard_chrome,
    is_headline_like,
    is_soft_chrome,
    is_substantial,
    remove_pinyin,
    repair_mojibake,
)
from archive.ingest.script import matching_form, to_simplified

# --- pinyin ---------------------------------------------------------------------------------


def test_remove_pinyin_drops_toned_syllables_after_characters():
    text = "擔(dān)任儋州市公安局局長以來,他從群眾最關(guān)心的事入手,堅持為民服務(wù)。"
    assert remove_pinyin(text) == ("擔任儋州市公安局局長以來,他從群眾最關心的事入手,堅持為民服務。", 3)


def test_remove_pinyin_handles_u_with_umlaut():
    assert remove_pinyin("綠(lǜ)色通道") == ("綠色通道", 1)


def test_remove_pinyin_drops_the_annotation_of_a_character_lost_as_question_mark():
    assert remove_pinyin("為民服?(wù)的宗旨") == ("為民服?的宗旨", 1)


def test_remove_pinyin_drops_the_broken_form_whose_character_and_bracket_were_lost():
    assert remove_pinyin("便民服?wù),隨叫隨到") == ("便民服?,隨叫隨到", 1)


@pytest.mark.parametrize(
    "text",
    [
        "(据新华社海口10月21日电)",
        "举报邮箱(Ztpcs5861006@163.com)",
        "本报台州(浙江)11月22日电",
        "社区(村居)警务室135个",
        "拨打热线(wu)咨询",  # Latin without a tone mark is not pinyin we can tell apart
    ],
)
def test_remove_pinyin_keeps_other_brackets(text):
    assert remove_pinyin(text) == (text, 0)


def test_remove_pinyin_with_full_width_brackets():
    assert remove_pinyin("擔（dān）任") == ("擔任", 1)


# --- characters lost as "?" -----------------------------------------------------------------


def test_count_lost_characters_counts_a_run_of_question_marks():
    assert count_lost_characters("(據新華社???0月21日電)") == 3


def test_count_lost_characters_counts_a_question_mark_before_other_punctuation():
    assert count_lost_characters("納入聯防體系?!聯控隊員最快90秒到達現場。") == 1


def test_count_lost_characters_counts_a_question_mark_alone_on_a_line():
    assert count_lost_characters("陳海峰說,要拉近警民距離。\n?\n") == 1


def test_count_lost_characters_counts_replacement_characters():
    assert count_lost_characters("公安\ufffd局") == 1


def test_count_lost_characters_ignores_a_question_mark_at_a_sentence_end():
    assert count_lost_characters("刑警、治安警都去路口指揮交通,案子誰來辦?") == 0


def test_count_lost_characters_ignores_a_question_mark_before_a_closing_quote():
    assert count_lost_characters("市民王女士說:“現在路口就有民警,還怕什麼?”") == 0


def test_count_lost_characters_counts_only_the_lost_ones_in_a_mixed_text():
    text = "案子誰來辦?\n納入體系?!聯控隊員到場。\n(據新華社???0月21日電)\n?"
    assert count_lost_characters(text) == 5


# --- UTF-8 read as GBK ----------------------------------------------------------------------


def test_repair_mojibake_restores_utf8_text_read_as_gbk():
    garbled = "遵义警方推行赶场警务".encode().decode("gb18030")
    assert repair_mojibake(garbled, to_simplified) == "遵义警方推行赶场警务"


def test_repair_mojibake_keeps_a_lost_byte_as_question_mark():
    garbled = "鍙戣〃浜? 2012-3-5 10:01:07 | 鏄剧ず鍏ㄩ儴妤煎眰"
    assert repair_mojibake(garbled, to_simplified) == "发表? 2012-3-5 10:01:07 | 显示全部楼层"


@pytest.mark.parametrize(
    "line",
    [
        "擔任儋州市公安局局長以來,陳海峰從群眾最關心的出行難題入手",
        "每逢赶场天,鸭溪镇的集市上人来人往。",
        "儋州",
        "瓊ICP備2023008284號-1",
    ],
)
def test_repair_mojibake_leaves_readable_lines_alone(line):
    assert repair_mojibake(line, to_simplified) == line


def test_repair_mojibake_of_a_line_with_replacement_characters():
    garbled = "发表于 2012-3-5 10:01:07 | 显示全部楼层".encode().decode("gb18030", errors="replace")
    assert "\ufffd" in garbled
    assert repair_mojibake(garbled, to_simplified) == "发表? 2012-3-5 10:01:07 | 显示全部楼层"


# --- chrome ---------------------------------------------------------------------------------


def hard(line: str) -> bool:
    return is_hard_chrome(to_simplified(line))


def soft(line: str) -> bool:
    return is_soft_chrome(to_simplified(line))


@pytest.mark.parametrize(
    "line",
    [
        "找回密码",
        " 马上注册",
        "QQ登录",
        "只需一步,快速开始",
        "[复制链接]",
        "*滑块验证:",
        "您需要登录后才可以回帖 登录 | 马上注册",
    ],
)
def test_login_prompts_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize(
    "line",
    [
        "查看: 1166|回复: 3",
        "本版积分规则",
        "QQ|小黑屋|手机版|Archiver|简州人论坛 ( 蜀ICP备07502275号-3 )",
        "GMT+8, 2024-11-18 07:38 , Processed in 0.055450 second(s), 7 queries .",
        "Powered by Discuz! X3.4",
        "快速回复 返回顶部 返回列表",
    ],
)
def test_forum_furniture_is_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize("line", [" 您當前的位置 : 海南新聞>", "当前位置:首页 > 警务动态 > 正文", "首页 > 警务动态"])
def test_breadcrumbs_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize("line", ["相關鏈接:", "排行", "    全站熱搜", "精选专题", "精选文章", "推荐阅读", "相关新闻:"])
def test_related_and_hot_list_headings_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize(
    "line",
    [
        "版權聲明:",
        "·凡註明來源為“椰風網”的所有文字、圖片、音視頻等作品,版權均屬椰風網所有。",
        "     All Rights Reserved",
        "Copyright © 2001-2021, Tencent Cloud.",
        "瓊ICP備2023008284號-1",
        "瓊公網安備 46010602000160號",
        "互聯網新聞信息服務許可證:46120210010",
    ],
)
def test_copyright_licence_and_icp_lines_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize(
    "line", ["微信公众平台:搜索“宣讲家”或扫描下面的二维码:", "    zhoujingwen 發表在 痞客邦 留言(0) 人氣()"]
)
def test_follow_us_and_blog_footers_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize(
    "line", ["  原標題:儋州公安推行“路長制” 街面見警率明顯提升", "(原標題:網上公安局訪問量突破百萬)"]
)
def test_original_title_lines_are_hard_chrome(line):
    assert hard(line)


@pytest.mark.parametrize("line", ["微博", "客户端", "close", "arrow", "分享到:", "打印"])
def test_share_widgets_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize(
    "line", ["责任编辑:孙丽校对:总编室最后修改:", "  (责任编辑:李红)", "[來源:新華社] [作者:符明] [編輯:吳曉丹]"]
)
def test_editor_lines_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize("line", ["  □本報記者陳立新", "  □本報通訊員楊帆鄭國華", "□文/记者刘晓燕周建□图/记者邓涛"])
def test_bylines_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize("line", ["核心提示", "核心提示:", "对话篇", "亮点展现"])
def test_labels_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize("line", ["![]() |", "?", "0", "|", " "])
def test_placeholders_and_scraps_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize("line", ["2015-03-08 10:20  来源:人民公安报  作者:王建军", "2013年11月22日  法制日报"])
def test_date_and_source_header_lines_are_soft_chrome(line):
    assert soft(line)
    assert not hard(line)


@pytest.mark.parametrize(
    "line", ["  (據新華社???0月21日電)", "(据新华社海口10月21日电)", "  本報台州(浙江)11月22日電", "6月9日讯"]
)
def test_datelines_are_not_chrome(line):
    assert is_dateline(to_simplified(line))
    assert not soft(line)
    assert not hard(line)


@pytest.mark.parametrize(
    "line",
    [
        "石桥派出所所长刘建国说,小分队还在场口设立警务咨询台。",
        "江右法治报:抚州公安为什么把“五小”作为民生警务的切入点?",
        "推行“路長制”",
        "2012年起,嘉兴市公安局每两个月开展一次全市性“警务广场”活动。",
    ],
)
def test_article_lines_are_not_chrome(line):
    assert not soft(line)
    assert not hard(line)


@pytest.mark.parametrize(
    "line",
    [
        "群众可拨打举报电话96110反映治安线索。",
        "市民只需用手机扫描警务室门口的二维码,就能在线办理业务。",
        "市公安局还开通了官方微博和微信公众平台,及时发布警情通报。",
    ],
    ids=["hotline", "qr-code", "weibo-and-wechat"],
)
def test_article_sentences_about_hotlines_and_apps_are_not_hard_chrome(line):
    assert not hard(line)


def test_header_line_with_full_width_colon_is_soft_chrome_in_its_matching_form():
    assert soft(matching_form("来源：人民公安报"))


# --- running text and headlines -------------------------------------------------------------


def test_a_sentence_of_running_text_is_substantial():
    assert is_substantial("儋州是海南西部的中心城市,每逢節假日車流量激增。")


def test_a_question_is_substantial():
    assert is_substantial("江右法治报:抚州公安为什么把“五小”作为民生警务的切入点?")


def test_a_headline_is_not_substantial():
    assert not is_substantial("儋州市公安局局長陳海峰:把警力推上街面 讓群眾安心出行")


def test_a_short_sentence_is_not_substantial():
    assert not is_substantial("林女士說。")


def test_a_headline_is_headline_like():
    assert is_headline_like("遵义警方推行“赶场警务” 把平安送到乡场上")


@pytest.mark.parametrize(
    "line",
    [
        "鸭溪派出所民警杨勇说,赶场天来的人多。",  # a sentence
        "每逢赶场天,遵义市播州区鸭溪镇的集市上人来人往,",  # a clause
        "排行榜",  # too few characters
        "?",
        "遵义警方推行赶场警务" * 9,  # longer than 80 characters
    ],
)
def test_other_lines_are_not_headline_like(line):
    assert not is_headline_like(line)
