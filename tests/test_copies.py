"""One record per article: copies of a file's text are one article with several files; an
article's earlier texts are kept as versions; merged ids redirect."""

import io
import json

import pytest
from django.core.management import call_command

from archive.export import FIELDS, FILE_FIELDS
from archive.models import Article, ArticleVersion, ImportRecord, MergedArticle

from .test_commands import ARTICLE, run_import, write

pytestmark = pytest.mark.django_db


def as_html(text: str) -> str:
    lines = text.strip().split("\n")
    paragraphs = "".join(f"<p>{line.strip()}</p>" for line in lines[1:] if line.strip())
    return f"<html><head><title>{lines[0]}</title></head><body><div>首页 > 新闻</div>{paragraphs}</body></html>"


@pytest.fixture
def copies(tmp_path):
    """One story as its own file, four copies of its text in other bytes, and a page of it in HTML."""
    folder = tmp_path / "dumps"
    write(folder, "a.txt", ARTICLE)
    write(folder, "b-gbk.txt", ARTICLE.encode("gb18030"))
    write(folder, "c-utf16.txt", ARTICLE.encode("utf-16"))
    write(folder, "d-bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    write(folder, "e-crlf.txt", ARTICLE.replace("\n", "\r\n"))
    write(folder, "f-page.html", as_html(ARTICLE))
    return folder


def export(*options) -> list[dict]:
    out = io.StringIO()
    call_command("export_articles", *options, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_copies_in_other_encodings_bom_and_line_ends_are_one_article(copies):
    assert run_import(copies) == "imported 1, updated 0, unchanged 0, duplicates 5, failed 0, not indexed 0"
    first = Article.objects.get(source_name="a.txt")
    statuses = dict(ImportRecord.objects.values_list("path", "status"))
    assert [status for path, status in sorted(statuses.items())] == [
        "imported", "copy", "copy", "copy", "copy", "near_duplicate",
    ]
    assert ImportRecord.objects.filter(article=first).count() == 5
    page = Article.objects.get(source_name="f-page.html")
    assert page.near_duplicate_of == first


def test_messages_say_what_was_found(copies):
    run_import(copies)
    first = Article.objects.get(source_name="a.txt")
    reasons = {record.name: record.reason for record in ImportRecord.objects.all()}
    assert reasons["c-utf16.txt"] == f"identical text to #{first.pk} (UTF-16)"
    assert reasons["b-gbk.txt"] == f"identical text to #{first.pk} (GB18030)"
    assert reasons["d-bom.txt"] == f"identical text to #{first.pk} (UTF-8 with BOM)"
    assert reasons["e-crlf.txt"] == f"identical text to #{first.pk} (UTF-8)"
    assert reasons["f-page.html"] == f"same story in other page chrome as #{first.pk}"


def test_the_export_gives_one_record_per_canonical_article_with_its_copies(copies):
    run_import(copies)
    first = Article.objects.get(source_name="a.txt")
    page = Article.objects.get(source_name="f-page.html")
    [record] = export()
    assert record["id"] == first.pk
    assert [copy["path"].rsplit("/", 1)[-1] for copy in record["copies"]] == [
        "a.txt", "b-gbk.txt", "c-utf16.txt", "d-bom.txt", "e-crlf.txt",
    ]
    assert [copy["encoding"] for copy in record["copies"]] == ["utf-8", "gb18030", "utf-16", "utf-8-sig", "utf-8"]
    assert all(len(copy["sha256"]) == 64 for copy in record["copies"])
    assert len({copy["sha256"] for copy in record["copies"]}) == 5
    assert record["near_duplicates"] == [page.pk]
    assert record["near_duplicate_of"] is None


def test_export_all_gives_one_record_per_file_naming_what_it_repeats(copies):
    run_import(copies)
    first = Article.objects.get(source_name="a.txt")
    page = Article.objects.get(source_name="f-page.html")
    records = export("--all")
    assert len(records) == 6
    assert list(records[0]) == FILE_FIELDS
    by_file = {record["source_file"]: record for record in records}
    assert by_file["a.txt"]["duplicate_of"] is None
    assert {by_file[name]["duplicate_of"] for name in ("b-gbk.txt", "c-utf16.txt", "d-bom.txt", "e-crlf.txt")} == {
        first.pk
    }
    assert by_file["f-page.html"]["id"] == page.pk
    assert by_file["f-page.html"]["duplicate_of"] == first.pk
    assert by_file["c-utf16.txt"]["sha256"] != by_file["a.txt"]["sha256"]


def test_export_all_as_csv_has_the_duplicate_column(copies, tmp_path):
    run_import(copies)
    output = tmp_path / "files.csv"
    call_command("export_articles", "--all", format="csv", output=str(output))
    header = output.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == FILE_FIELDS
    assert {"version", "copies", "near_duplicates"} <= set(FIELDS)


def test_an_article_whose_file_becomes_a_copy_is_merged_and_its_address_redirects(tmp_path, client):
    folder = tmp_path / "dumps"
    write(folder, "a.txt", ARTICLE)
    write(folder, "b.txt", ARTICLE.replace("路长制", "街长制"))
    run_import(folder)
    first, second = Article.objects.get(source_name="a.txt"), Article.objects.get(source_name="b.txt")
    assert second.near_duplicate_of == first

    write(folder, "b.txt", ARTICLE.replace("\n", "\r\n"))  # now the same text as a.txt
    run_import(folder)
    assert not Article.objects.filter(pk=second.pk).exists()
    assert MergedArticle.objects.get(old_id=second.pk).article == first
    response = client.get(f"/articles/{second.pk}/?q=路长制")
    assert response.status_code == 301
    assert response["Location"] == f"/articles/{first.pk}/?q=%E8%B7%AF%E9%95%BF%E5%88%B6"
    assert client.get(f"/api/articles/{second.pk}").status_code == 301
    assert client.get("/articles/999999/").status_code == 404


def test_a_changed_text_keeps_the_earlier_one_as_a_version(tmp_path, client):
    folder = tmp_path / "dumps"
    write(folder, "a.txt", ARTICLE)
    run_import(folder)
    article = Article.objects.get()
    old_body = article.body

    write(folder, "a.txt", ARTICLE.replace("既管交通", "既管交通秩序"))
    run_import(folder)
    article.refresh_from_db()
    assert "既管交通秩序" in article.body
    [version] = ArticleVersion.objects.filter(article=article)
    assert (version.number, version.body, version.title) == (1, old_body, article.title)
    assert version.reason.startswith("source file changed (sha256 ")
    assert version.saved_at <= version.replaced_at

    page = client.get(article.get_absolute_url()).content.decode()
    assert version.get_absolute_url() in page and "第 2 版（当前" in page
    assert "档案文本第 2 版" in page  # the citation names the text it quotes
    old = client.get(version.get_absolute_url()).content.decode()
    assert "既管交通,又管治安" in old.replace("、", ",") and "既管交通秩序" not in old
    [record] = export()
    assert record["version"] == 2


def test_an_unchanged_text_under_force_makes_no_version(tmp_path):
    folder = tmp_path / "dumps"
    write(folder, "a.txt", ARTICLE)
    run_import(folder)
    run_import(folder, force=True)
    assert not ArticleVersion.objects.exists()
    assert export()[0]["version"] == 1
