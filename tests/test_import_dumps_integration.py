"""Import the real dumps and check, for each, what a researcher files it by."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.models import Article, ImportRecord, Initiative

from .conftest import DUMPS, requires_dumps

pytestmark = [pytest.mark.django_db, pytest.mark.integration, requires_dumps]

EXPECTED = {
    "000_38fcf2cc97444873.txt": {
        "title": "海南三亞市副市長、公安局局長張兆騰:為百姓解難題 警民融合一家親",
        "published_on": None,
        "city": ("三亚", "海南"),
        "initiatives": {"路长制", "飞鹭支队", "警保联控"},
        "script": "traditional",
        "first": "“情深似海,百姓本是衣食父母;",
        "last": "(據新華社???0月21日電)",
        "outlet": "新华社",
        "authors": ["刘邓"],
        "chrome": ["您當前的位置", "原標題", "相關鏈接", "版權", "ICP備", "公網安備", "圖解", "排行", "舉報電話",
                   "凡注明", "All Rights Reserved", "[來源", "[作者", "鄉村健康服務圈"],
    },
    "001_1dde925a2c6de01f.txt": {
        "title": "群众利益至高无上——简阳公安“大走访”开门评警侧记",
        "published_on": "2011-06-10",
        "city": ("简阳", "四川"),
        "initiatives": {"大走访", "赶场警务"},
        "script": "simplified",
        "first": "6月9日讯拓宽警民沟通渠道",
        "last": "在公共场所张贴“警民联系牌”2000余个。",
        "outlet": "简阳人论坛",
        "authors": [],
        "chrome": ["找回密码", "马上注册", "QQ登录", "查看:", "复制链接", "发表于", "显示全部楼层", "该抓的不抓",
                   "和谐 呵呵", "一定要和谐", "滑块验证", "本版积分规则", "小黑屋", "Discuz", "Copyright", "快速回复"],
    },
    "002_844caa96ac880f2d.txt": {
        "title": "鹰潭市公安局局长张荣先:“五小”民生警务提升公众安全感",
        "published_on": None,
        "city": ("鹰潭", "江西"),
        "initiatives": {"五小民生警务", "5+2警务模式", "三项重点工作"},
        "script": "simplified",
        "first": "“从妥善调处小纠纷和高度重视小诉求入手",
        "last": "受理保险理赔15起,受到市民的普遍欢迎。",
        "outlet": "新法治报",
        "authors": ["吴舒琴", "王艳杰"],
        "photographers": ["秦方"],
        "chrome": ["核心提示", "![]()", "对话篇", "亮点展现", "□文/记者", "□图/记者"],
    },
    "003_e27f11ea6634a667.txt": {
        "title": "警务广场:枫桥经验湖州样本",
        "published_on": None,
        "city": ("湖州", "浙江"),
        "initiatives": {"警务广场", "枫桥经验"},
        "script": "simplified",
        "first": "从诸暨枫桥到绍兴柯桥,再到湖州",
        "last": "警民互信互动、密切合作、共保一方平安。",
        "outlet": "宣讲家",
        "authors": [],
        "chrome": ["核心提示", "责任编辑", "校对", "精选专题", "精选文章", "领航新时代", "微信公众平台", "二维码",
                   "客户端"],
    },
    "004_b6bfc38f1cd3b99a.txt": {
        "title": "瀏覽突破百萬辦事量破萬",
        # The dateline gives 11月22日; no year is stated (only "兩年多來" since 2011年6月).
        "published_on": None,
        "city": ("台州", "浙江"),
        "initiatives": {"网上公安局", "主动警务", "社区警务"},
        "script": "traditional",
        "first": "2011年6月,浙江第一個網上公安局落戶台州。",
        "last": "本報台州(浙江)11月22日電",
        "outlet": "法制日报",
        "authors": ["陈东升", "李翔", "张继初"],
        "chrome": ["close", "□本報", "原標題", "arrow", "全站熱搜", "痞客邦", "留言(0)", "人氣"],
    },
}
TONED_PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")


@pytest.fixture
def imported(db):
    call_command("import_dumps", str(DUMPS), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return {record.name: record.article for record in ImportRecord.objects.select_related("article")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_dump_is_imported_with_the_facts_it_states(imported, name):
    expected, article = EXPECTED[name], imported[name]

    assert article.title == expected["title"]
    published_on = article.published_on.isoformat() if article.published_on else None
    assert published_on == expected["published_on"]
    assert (article.city.name, article.city.province) == expected["city"]
    assert expected["initiatives"] <= {initiative.name for initiative in article.initiatives.all()}
    assert article.script == expected["script"]
    assert article.outlet == expected["outlet"]
    assert article.authors == expected["authors"]
    assert article.photographers == expected.get("photographers", [])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_body_runs_from_the_first_sentence_to_the_last_without_chrome(imported, name):
    expected, article = EXPECTED[name], imported[name]
    paragraphs = article.paragraphs()

    assert paragraphs[0].startswith(expected["first"])
    assert paragraphs[-1].endswith(expected["last"])
    for chrome in expected["chrome"]:
        assert chrome not in article.body, chrome
    assert not TONED_PINYIN.search(article.body)
    assert article.title not in paragraphs, "the headline is not repeated in the body"


def test_the_forum_replies_are_comments_not_body(imported):
    article = imported["001_1dde925a2c6de01f.txt"]
    comments = [
        (c.author, timezone.localtime(c.posted_at).strftime("%Y-%m-%d %H:%M:%S"), c.text)
        for c in article.comments.all()
    ]

    assert comments == [
        ("王者典范", "2011-06-10 13:56:07", "该抓的不抓。\n只会做样子!"),
        ("楼主", "2011-06-10 14:04:24", "和谐 呵呵"),
        ("", "2011-06-10 15:29:31", "一定要和谐"),
    ]
    assert article.comments.get(position=1).quote_author == "王者典范"


def test_county_level_city_belongs_to_its_prefecture_and_province(imported):
    city = imported["001_1dde925a2c6de01f.txt"].city
    assert (city.level, city.prefecture.name, city.province) == ("county", "成都", "四川")


def test_lost_characters_are_counted_and_left_visible(imported):
    article = imported["000_38fcf2cc97444873.txt"]
    assert article.lost_characters > 0
    assert "???" in article.body
    assert all(imported[name].lost_characters == 0 for name in EXPECTED if not name.startswith("000"))


def test_officials_are_named_with_their_role(imported):
    officials = {(o.name, o.role) for article in imported.values() for o in article.officials.all()}
    assert ("张兆腾", "三亚市副市长、公安局局长") in officials
    assert ("张荣先", "鹰潭市公安局局长") in officials
    assert ("蒋珍明", "台州市委常委、市公安局局长") in officials


def test_a_second_import_of_the_folder_reports_everything_unchanged(imported):
    out = io.StringIO()
    call_command("import_dumps", str(DUMPS), stdout=out, stderr=io.StringIO(), verbosity=0)
    assert out.getvalue().strip() == "imported 0, updated 0, unchanged 5, duplicates 0, failed 0, not indexed 0"
    assert Article.objects.count() == 5


def candidates_found() -> dict[str, tuple]:
    """Every candidate with its score, article count and evidence sentences (ids differ between runs)."""
    return {
        candidate.name: (candidate.score, candidate.articles.count(), sorted(e["sentence"] for e in candidate.evidence))
        for candidate in Initiative.objects.filter(confirmed=False, rejected=False)
    }


def test_the_same_candidates_whatever_the_order_of_the_files(db, tmp_path):
    dumps = sorted(DUMPS.iterdir())
    found = []
    for order, names in (("forward", dumps), ("backward", dumps[::-1])):
        folder = tmp_path / order
        folder.mkdir()
        for number, dump in enumerate(names):  # the importer takes files in name order
            (folder / f"{number:02d}_{dump.name}").write_bytes(dump.read_bytes())
        call_command("import_dumps", str(folder), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
        found.append(candidates_found())
        Article.objects.all().delete()
        ImportRecord.objects.all().delete()
        Initiative.objects.filter(confirmed=False).delete()
    assert found[0] and found[0] == found[1]
