"""find_article on the fixture pages: the headline, and the article's paragraphs without the page around them."""

import pytest

from archive.ingest.layout import find_article
from archive.ingest.script import to_simplified
from tests.dump_fixtures import BARE, BLOG, INTERVIEW, PORTAL, THEORY, prepared_lines

TITLES = {
    PORTAL: "儋州市公安局局長陳海峰:把警力推上街面 讓群眾安心出行",
    INTERVIEW: "抚州市公安局局长赵卫东:“五小”民生警务提升公众安全感",
    THEORY: "警务广场:枫桥经验的嘉兴实践",
    BLOG: "網上公安局訪問量突破百萬",  # the site gave only the original title
    BARE: "遵义警方推行“赶场警务” 把平安送到乡场上",
}

FIRST_PARAGRAPHS = {
    PORTAL: "“民警多站一分鐘,群眾就多一分安心。”這是陳海峰常掛在嘴邊的一句話。從警二十八年,他始終認為,"
    "公安工作做得好不好,要由群眾來評判。",
    INTERVIEW: "“群众身边无小事,解决好小纠纷、小诉求、小案件、小隐患、小问题,群众的安全感就实实在在地提上来了。”"
    "10月12日,抚州市公安局局长赵卫东接受《江右法治报》专访时,介绍了抚州公安推行“五小”民生警务的做法和成效。",
    THEORY: "从诸暨枫桥到南湖之畔,“枫桥经验”历久弥新。近年来,嘉兴市公安局把“枫桥经验”与新时代群众工作结合起来,"
    "走出了一条民意导向警务的新路子。",
    BLOG: "2011年6月,浙江省首個網上公安局落戶台州。群眾足不出戶,就能在網上申請證照、查詢辦事進度。兩年多來,"
    "台州市網上公安局訪問量突破百萬人次,成為群眾與公安機關溝通的新渠道。",
    BARE: "每逢赶场天,遵义市播州区鸭溪镇的集市上人来人往,几名身着警服的民警在人群中来回巡逻,"
    "不时停下来为群众指路、解答咨询。",
}

LAST_PARAGRAPHS = {
    PORTAL: "(據新華社???0月21日電)",
    INTERVIEW: "“晚上出门散步,经常能碰到巡逻的民警,心里踏实多了。”家住县城的市民江阿姨说。",
    THEORY: "相信群众、依靠群众,嘉兴公安把“枫桥经验”的精髓落到了每一次警务广场、每一次入户走访之中。",
    BLOG: "本報台州(浙江)11月22日電",
    BARE: "据统计,去年全市流动警务点共调解纠纷1300余起,收集治安线索260余条,赶场天发案数同比下降四成。",
}

# Subheadings (推行“路長制”, 对话篇's questions, 亮点展现's item titles) are part of the article.
PARAGRAPH_COUNTS = {PORTAL: 12, INTERVIEW: 14, THEORY: 10, BLOG: 9, BARE: 6}

CHROME = {
    PORTAL: [
        "您當前的位置", "海南新聞", "原標題", "\n?\n", "相關鏈接", "沿線治安誰來守護", "來源:", "作者:", "編輯:",
        "版權", "凡註明", "排行", "海口新埠島大橋", "All Rights Reserved", "ICP備", "公網安備", "許可證",
    ],
    INTERVIEW: ["核心提示", "![]()", "对话篇", "亮点展现", "□", "记者邓涛"],
    THEORY: ["核心提示", "责任编辑", "校对", "精选专题", "精选文章", "微信公众平台", "二维码", "微博", "客户端"],
    BLOG: ["close", "□", "本報記者", "通訊員", "原標題", "arrow", "全站熱搜", "痞客邦", "人氣"],
    BARE: ["2015-03-08", "来源:", "作者:", "责任编辑"],
}  # fmt: skip

ARTICLES = list(TITLES)


def layout(name: str):
    return find_article(*prepared_lines(name))


@pytest.mark.parametrize("name", ARTICLES)
def test_finds_the_headline(name):
    assert layout(name).title == TITLES[name]


@pytest.mark.parametrize("name", ARTICLES)
def test_body_begins_with_the_first_paragraph(name):
    assert layout(name).paragraphs[0] == FIRST_PARAGRAPHS[name]


@pytest.mark.parametrize("name", ARTICLES)
def test_body_ends_with_the_last_paragraph(name):
    assert layout(name).paragraphs[-1] == LAST_PARAGRAPHS[name]


@pytest.mark.parametrize("name", ARTICLES)
def test_keeps_every_paragraph(name):
    assert len(layout(name).paragraphs) == PARAGRAPH_COUNTS[name]


@pytest.mark.parametrize("name", ARTICLES)
def test_no_chrome_line_survives(name):
    body = "\n" + "\n".join(layout(name).paragraphs) + "\n"
    assert [chrome for chrome in CHROME[name] if chrome in body] == []


@pytest.mark.parametrize("name", ARTICLES)
def test_headline_is_not_repeated_in_the_body(name):
    assert TITLES[name] not in layout(name).paragraphs


def test_lede_repeated_above_the_breadcrumb_appears_once():
    paragraphs = layout(PORTAL).paragraphs
    lede = [p for p in paragraphs if p.startswith("擔任儋州市公安局局長以來")]
    assert len(lede) == 1
    assert paragraphs.index(lede[0]) == 1


def test_repeated_summary_appears_once_where_the_body_repeats_it():
    summary = (
        "嘉兴公安坚持和发展“枫桥经验”,在全市推行“警务广场”活动,让民警走出机关、走进群众,面对面听取意见建议,"
        "群众满意度连续三年位居全省前列。"
    )
    paragraphs = layout(THEORY).paragraphs
    assert paragraphs.count(summary) == 1
    assert paragraphs.index(summary) == 5


def test_question_and_answer_paragraphs_are_kept_in_order():
    paragraphs = layout(INTERVIEW).paragraphs
    speakers = [p.split(":")[0] for p in paragraphs if p.startswith(("江右法治报:", "赵卫东:"))]
    assert speakers == ["江右法治报", "赵卫东"] * 3


def test_header_holds_the_lines_above_the_body():
    lines, simplified = prepared_lines(BARE)
    found = find_article(lines, simplified)
    assert [lines[i] for i in found.header if lines[i]] == [
        "遵义警方推行“赶场警务” 把平安送到乡场上",
        "2015-03-08 10:20  来源:人民公安报  作者:王建军",
    ]


def test_page_without_article_text_gives_no_paragraphs():
    lines = ["找回密码", "马上注册", "相关链接:", "All Rights Reserved"]
    found = find_article(lines, lines)
    assert (found.title, found.paragraphs, found.chrome_lines) == ("", [], 4)


def test_article_without_headline_is_titled_by_its_first_sentence():
    lines = ["close", "", "  儋州市公安局在主要路口设立了18个路长工作站。群众可以就近报警求助,累计办理事务2300余件。"]
    assert find_article(lines, lines).title == "儋州市公安局在主要路口设立了18个路长工作站。"


def test_article_mentioning_its_official_weibo_is_not_cut():
    paragraphs = [
        "今年以来,儋州市公安局把警务公开作为密切警民关系的重要抓手,主动接受群众监督。",
        "市公安局在各派出所设立警务公开栏,公布民警姓名、照片和联系电话,方便群众找到民警。",
        "市公安局还开通了官方微博,及时发布警情通报,回应群众关切,粉丝已超过十万人。",
        "群众反映的问题,由专人登记、分类转办,并在七个工作日内答复。",
        "陈海峰说,警务公开就是要让群众看得见、摸得着、信得过。",
    ]
    lines = ["儋州公安推行警务公开 让群众看得见信得过", "", *paragraphs, "", "All Rights Reserved"]
    simplified = [to_simplified(line) for line in lines]
    assert find_article(lines, simplified).paragraphs == paragraphs
