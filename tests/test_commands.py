"""The import and export commands, on small dumps written by the tests."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.candidates import evidence_summary, merge_as_alias, reject
from archive.export import FIELDS
from archive.importer import Importer, prepare_files
from archive.ingest.discovery import SHOWN_SCORE
from archive.models import Article, City, ImportRecord, Initiative, Original

pytestmark = pytest.mark.django_db

ARTICLE = """三亚公安推行“路长制” 警民融合一家亲

您当前的位置 : 海南新闻>

  2018年10月21日  来源:新华社

  三亚市公安局推行“路长制”以来,民警、协警担任路管员,各级路长在执勤中既管交通、又管治安、兼管服务。

  三亚市副市长、公安局局长张兆腾说,推行“路长制”更深的用意是以此为契机融合警民关系,把警力从办公室放到路面。

  同时建立“警保联控”机制,将各酒店、企业以及小区等保安队伍纳入“路长制”,建立群众性治安防范队伍。

相关链接:
三亚计划至2020年建成30分钟乡村健康服务圈
版权所有 未经书面许可不得复制或转载
琼ICP备2023008284号-1
"""

OTHER_ARTICLE = """湖州警方推行“警务广场” 民意领跑警务

  湖州市公安局依托广场、公园等公众活动场所,每年6次在固定时间开展全市性“警务广场”活动,听取群众意见。

  在市、县两级公安机关门口,建立“警务广场”服务区,集办事办证、接待信访、警民恳谈等功能于一体。

  湖州公安坚持和发展“枫桥经验”,群众满意度从第7位上升到全省第1位,刑事案件总量连年下降。
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def run_import(*paths, **options) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dumps", *map(str, paths), stdout=out, stderr=err, verbosity=1, **options)
    return out.getvalue().strip().splitlines()[-1]


def test_import_reports_counts_and_a_second_run_changes_nothing(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "sub/b.txt", OTHER_ARTICLE)

    assert run_import(tmp_path / "dumps") == "imported 2, updated 0, unchanged 0, duplicates 0, failed 0, not indexed 0"
    first = {a.pk: (a.title, a.body, a.updated_at) for a in Article.objects.all()}

    assert run_import(tmp_path / "dumps") == "imported 0, updated 0, unchanged 2, duplicates 0, failed 0, not indexed 0"
    assert {a.pk: (a.title, a.body, a.updated_at) for a in Article.objects.all()} == first


def test_imported_article_has_its_facts_links_and_original(tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE)
    run_import(path)

    article = Article.objects.get()
    assert article.title == "三亚公安推行“路长制” 警民融合一家亲"
    assert article.paragraphs()[0].startswith("三亚市公安局推行“路长制”以来")
    assert "版权所有" not in article.body and "相关链接" not in article.body
    assert article.published_on.isoformat() == "2018-10-21"
    assert article.outlet == "新华社"
    assert (article.city.name, article.city.province, article.city.slug) == ("三亚", "海南", "sanya")
    assert {i.name for i in article.initiatives.all()} == {"路长制", "警保联控"}
    assert [(o.name, o.role) for o in article.officials.all()] == [("张兆腾", "三亚市副市长、公安局局长")]
    assert article.original.read_bytes() == path.read_bytes()
    record = ImportRecord.objects.get()
    assert (record.status, record.encoding, record.article) == ("imported", "utf-8", article)


def test_changed_file_updates_its_article(tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE)
    run_import(path)
    article = Article.objects.get()

    write(tmp_path, "a.txt", ARTICLE.replace("警民融合一家亲", "群众满意度持续攀升"))
    assert run_import(path) == "imported 0, updated 1, unchanged 0, duplicates 0, failed 0, not indexed 0"

    article.refresh_from_db()
    assert article.title == "三亚公安推行“路长制” 群众满意度持续攀升"
    assert Article.objects.count() == 1
    assert Original.objects.count() == 2, "the earlier bytes stay stored"


def test_same_bytes_under_another_name_is_a_duplicate_of_the_first(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "copy of a.txt", ARTICLE)

    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 1, failed 0, not indexed 0"
    duplicate = ImportRecord.objects.get(path__endswith="copy of a.txt")
    assert duplicate.status == "duplicate"
    assert duplicate.article == Article.objects.get()


def test_same_article_in_other_chrome_is_a_near_duplicate(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    reposted = "close\n\n" + ARTICLE.replace("您当前的位置 : 海南新闻>", "首页 > 新闻 > 正文") + "全站热搜\n"
    write(tmp_path / "dumps", "b.txt", reposted)

    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 1, failed 0, not indexed 0"
    first, second = Article.objects.order_by("pk")
    assert second.near_duplicate_of == first
    assert ImportRecord.objects.get(article=second).status == "near_duplicate"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (bytes(range(256)) * 8, "binary data")],
)
def test_malformed_dump_is_recorded_as_failed_with_reason_and_original_kept(tmp_path, content, reason):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    bad = write(tmp_path / "dumps", "bad.txt", content)

    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 0, failed 1, not indexed 0"
    record = ImportRecord.objects.get(path=str(bad.resolve()))
    assert record.status == "failed"
    assert reason in record.reason
    assert record.original.read_bytes() == content


def test_other_file_types_are_reported_and_skipped(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "notes.pdf", b"%PDF-1.4")
    err = io.StringIO()
    call_command("import_dumps", str(tmp_path / "dumps"), stdout=io.StringIO(), stderr=err)

    assert "skipped" in err.getvalue() and "notes.pdf" in err.getvalue()
    assert Article.objects.count() == 1


def test_report_has_one_entry_per_file(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "empty.txt", b"")
    write(tmp_path / "dumps", "page.htm", "<html><head><title>湖州警务广场_某某网</title></head><body>"
          + "".join(f"<p>{line}</p>" for line in OTHER_ARTICLE.splitlines()[1:]) + "</body></html>")
    write(tmp_path / "dumps", "readme.md", "not a dump")
    report = tmp_path / "report.json"
    run_import(tmp_path / "dumps", report=str(report))

    entries = {Path(entry["path"]).name: entry for entry in json.loads(report.read_text(encoding="utf-8"))}
    assert {name: entry["status"] for name, entry in entries.items()} == {
        "a.txt": "imported", "empty.txt": "failed", "page.htm": "imported", "readme.md": "skipped",
    }
    assert entries["empty.txt"]["reason"] == "empty file"
    assert entries["page.htm"]["title"] == "湖州警务广场"


def test_dry_run_writes_nothing(tmp_path, data_dir):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    out = io.StringIO()
    call_command("import_dumps", str(tmp_path / "dumps"), dry_run=True, stdout=out, stderr=io.StringIO())

    assert "imported 1, updated 0, unchanged 0, duplicates 0, failed 0, not indexed 0" in out.getvalue()
    assert not Article.objects.exists() and not ImportRecord.objects.exists()
    assert not (data_dir / "originals").exists()


def test_path_that_does_not_exist_is_a_fatal_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_dumps", str(tmp_path / "missing"), stdout=io.StringIO(), stderr=io.StringIO())


def test_unwritable_data_folder_is_a_fatal_error(tmp_path, settings):
    blocker = write(tmp_path, "not-a-folder", b"x")
    settings.ARCHIVE_ORIGINALS_DIR = blocker / "originals"
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    with pytest.raises(CommandError, match="not writable"):
        call_command("import_dumps", str(tmp_path / "dumps"), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_fault_while_saving_one_file_leaves_no_half_article_and_the_batch_goes_on(tmp_path, monkeypatch):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "b.txt", OTHER_ARTICLE)
    original_save = Importer._save_record

    def failing_save(self, record, key, *args):
        if key.endswith("a.txt"):
            raise RuntimeError("disk full")
        return original_save(self, record, key, *args)

    monkeypatch.setattr(Importer, "_save_record", failing_save)
    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 0, failed 1, not indexed 0"
    assert list(Article.objects.values_list("title", flat=True)) == ["湖州警方推行“警务广场” 民意领跑警务"]
    assert not City.objects.filter(name="三亚").exists(), "the failed file's city was rolled back too"

    monkeypatch.setattr(Importer, "_save_record", original_save)
    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 1, duplicates 0, failed 0, not indexed 0"


def test_export_gives_one_record_per_article_as_jsonl_and_csv(tmp_path):
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "b.txt", OTHER_ARTICLE)
    run_import(tmp_path / "dumps")

    output = tmp_path / "articles.jsonl"
    call_command("export_articles", format="jsonl", output=str(output))
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2
    sanya = next(record for record in records if record["city"] == "三亚")
    assert list(sanya) == FIELDS
    assert sanya["source_file"] == "a.txt"
    assert sanya["published_on"] == "2018-10-21"
    assert sanya["province"] == "海南"
    assert sanya["officials"] == [{"name": "张兆腾", "role": "三亚市副市长、公安局局长", "city": "三亚"}]
    assert sanya["url"] == f"/articles/{sanya['id']}/"

    out = io.StringIO()
    call_command("export_articles", format="csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 2
    row = next(row for row in rows if row["city"] == "三亚")
    assert row["initiatives"] in ("路长制; 警保联控", "警保联控; 路长制")
    assert row["published_on"] == "2018-10-21"


def test_merging_initiatives_moves_articles_and_keeps_names_as_aliases(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    run_import(tmp_path / "a.txt")
    target = Initiative.objects.get(name="路长制")
    other = Initiative.objects.get(name="警保联控")

    target.merge([other])

    assert not Initiative.objects.filter(name="警保联控").exists()
    assert "警保联控" in target.aliases.values_list("name", flat=True)
    assert target.articles.count() == 1


def test_quoted_programme_names_become_candidates_waiting_for_confirmation(tmp_path):
    text = ARTICLE.replace("兼管服务。", "兼管服务。公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。")
    write(tmp_path, "a.txt", text)
    run_import(tmp_path / "a.txt")

    candidate = Initiative.objects.get(name="护瓜行动")
    assert candidate.confirmed is False
    assert candidate.articles.count() == 1


def test_a_candidate_is_scored_with_its_evidence_at_the_end_of_an_import(tmp_path):
    write(tmp_path, "a.txt", ARTICLE.replace("兼管服务。", "兼管服务。公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。"))
    run_import(tmp_path)

    candidate = Initiative.objects.get(name="护瓜行动")
    assert candidate.score >= SHOWN_SCORE
    assert candidate.is_shown
    sentences = [entry["sentence"] for entry in candidate.evidence]
    assert sentences == ["公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。"]
    assert evidence_summary(candidate)["article_count"] == 1


def test_a_rejected_candidate_stays_rejected_through_a_forced_import(tmp_path):
    write(tmp_path, "a.txt", ARTICLE.replace("兼管服务。", "兼管服务。公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。"))
    run_import(tmp_path)
    reject([Initiative.objects.get(name="护瓜行动")])

    run_import(tmp_path, force=True)
    rejected = Initiative.objects.get(name="护瓜行动")
    assert rejected.rejected and not rejected.is_shown
    assert rejected.articles.count() == 0
    assert "护瓜行动" not in Article.objects.get().export_record()["initiatives"]


def test_a_candidate_merged_as_an_alias_files_later_imports_under_its_target(tmp_path):
    write(tmp_path, "a.txt", ARTICLE.replace("兼管服务。", "兼管服务。公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。"))
    run_import(tmp_path)
    target = Initiative.objects.get(name="路长制")
    merge_as_alias(target, [Initiative.objects.get(name="护瓜行动")])

    run_import(tmp_path, force=True)
    assert not Initiative.objects.filter(name="护瓜行动").exists()
    assert "护瓜行动" in target.all_names()
    assert Article.objects.get().initiatives.filter(pk=target.pk).exists()


def articles_as_exported() -> list[dict]:
    """Every article with its candidate initiatives, without what differs between two runs (ids, times)."""
    records = []
    for article in Article.objects.for_export().order_by("source_name"):
        record = article.export_record()
        for name in ("id", "url"):
            record.pop(name)
        record["candidates"] = sorted(article.initiatives.filter(confirmed=False).values_list("name", flat=True))
        records.append(record)
    return records


def test_workers_import_exactly_what_one_process_imports(tmp_path):
    fixtures = Path(__file__).resolve().parent / "fixtures"
    one_by_one = run_import(fixtures, workers=1)
    alone = articles_as_exported()
    Article.objects.all().delete()
    ImportRecord.objects.all().delete()
    Initiative.objects.filter(confirmed=False).delete()

    assert run_import(fixtures, workers=2) == one_by_one
    assert articles_as_exported() == alone


@pytest.mark.parametrize("workers", [1, 2])
def test_a_candidate_is_linked_where_quoted_and_everywhere_once_confirmed(tmp_path, workers):
    write(tmp_path, "a.txt", ARTICLE.replace("兼管服务。", "兼管服务。公安局还推出了“护瓜行动”,向瓜农承诺赔偿损失。"))
    write(tmp_path, "b.txt", OTHER_ARTICLE.replace("刑事案件", "护瓜行动开展以来,刑事案件"))
    run_import(tmp_path, workers=workers)

    candidate = Initiative.objects.get(name="护瓜行动")
    assert list(candidate.articles.values_list("source_name", flat=True)) == ["a.txt"]

    candidate.confirmed = True
    candidate.save()
    run_import(tmp_path, workers=workers, force=True)
    assert sorted(candidate.articles.values_list("source_name", flat=True)) == ["a.txt", "b.txt"]


def test_import_workers_cannot_use_the_database(tmp_path, monkeypatch):
    """Workers only read and parse; one left running after its parent was killed cannot write."""
    def querying_prepare(self, path, segment=False):
        Article.objects.count()

    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", OTHER_ARTICLE)
    importer = Importer()
    monkeypatch.setattr(Importer, "prepare", querying_prepare)
    prepared = list(prepare_files(importer, sorted(tmp_path.glob("*.txt")), workers=2))

    assert [p.failure.reason for p in prepared] == [
        "could not be prepared: RuntimeError('an import worker only reads and parses files; "
        "the importing process writes')"] * 2
