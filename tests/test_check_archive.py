"""check_archive: an archive broken in each way is reported, repaired where it can be, and says what cannot."""

import io
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from archive.models import Article, ImportRecord

from .test_commands import ARTICLE, OTHER_ARTICLE, run_import, write


def check(**options) -> tuple[bool, str]:
    """Whether check_archive passed, and what it printed."""
    out = io.StringIO()
    try:
        call_command("check_archive", stdout=out, stderr=io.StringIO(), **options)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@contextmanager
def index_not_told():
    """Changes made in this block do not reach the search index (as if the index had missed them)."""
    processor = apps.get_app_config("haystack").signal_processor
    processor.teardown()
    try:
        yield
    finally:
        processor.setup()


@pytest.fixture
def archive(tmp_path, search_index):
    """Three files: two articles and a near-duplicate of the first, which the index leaves out."""
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "b.txt", OTHER_ARTICLE)
    write(tmp_path / "dumps", "c.txt", "首页 > 新闻 > 正文\n\n" + ARTICLE + "全站热搜\n")
    run_import(tmp_path / "dumps")
    first, other, near = Article.objects.order_by("pk")
    assert near.near_duplicate_of == first
    return {"first": first, "other": other, "near": near, "dumps": tmp_path / "dumps", "index": search_index}


def test_a_freshly_imported_archive_is_consistent(archive):
    ok, out = check()
    assert ok, out
    assert out.strip() == "checked 3 articles, 3 originals, 2 index entries: 0 problems"


def test_an_article_missing_from_the_index_is_named_and_repair_indexes_it(archive):
    first = archive["first"]
    archive["index"].get_backend().remove(f"archive.article.{first.pk}")

    ok, out = check()
    assert not ok
    assert f"article #{first.pk}: not in the search index" in out
    assert out.strip().endswith("1 problem")

    ok, out = check(repair=True)
    assert ok, out
    assert f"re-indexed 1 article: #{first.pk}" in out
    assert check() == (True, "checked 3 articles, 3 originals, 2 index entries: 0 problems\n")


def test_an_index_entry_without_article_is_named_and_repair_removes_it(archive):
    pk = archive["other"].pk
    with index_not_told():
        archive["other"].delete()

    ok, out = check()
    assert not ok
    assert f"index entry archive.article.{pk}: no such article" in out

    ok, out = check(repair=True)
    assert ok, out
    assert f"removed index entry archive.article.{pk}" in out
    assert check()[0]


def test_a_near_duplicate_in_the_index_is_named_and_repair_removes_it(archive):
    near, index = archive["near"], archive["index"]
    index.get_backend().update(index.get_unified_index().get_index(Article), [near])

    ok, out = check()
    assert not ok
    assert (f"index entry archive.article.{near.pk}: article #{near.pk} is a near-duplicate "
            f"of #{archive['first'].pk}") in out

    assert check(repair=True)[0]
    assert check()[0]


def test_an_article_still_waiting_for_the_index_is_named_and_repair_indexes_it(archive):
    other = archive["other"]
    Article.objects.filter(pk=other.pk).update(needs_indexing=True)

    ok, out = check()
    assert not ok
    assert f"article #{other.pk}: waiting to be indexed" in out

    assert check(repair=True)[0]
    assert not Article.objects.filter(needs_indexing=True).exists()


def test_a_missing_original_is_named_with_its_article_and_restored_from_the_source_file(archive):
    first = archive["first"]
    first.original.path.unlink()

    ok, out = check()
    assert not ok
    assert f"original {first.original.path}: missing; used by article #{first.pk} “{first.title}”" in out
    assert f"import record {archive['dumps'] / 'a.txt'} (imported)" in out

    ok, out = check(repair=True)
    assert ok, out
    assert f"restored original {first.original_id} from {archive['dumps'] / 'a.txt'}" in out
    assert first.original.read_bytes() == ARTICLE.encode()


def test_an_original_whose_source_is_gone_cannot_be_repaired_and_the_check_keeps_failing(archive):
    first = archive["first"]
    first.original.path.unlink()
    (archive["dumps"] / "a.txt").unlink()

    ok, out = check(repair=True)
    assert not ok
    assert (f"cannot repair: original {first.original.path}: missing; used by article #{first.pk}") in out
    assert "its bytes are lost from the archive and its source files" in out
    assert "still wrong: original" in out
    assert out.strip().endswith("1 problem")


def test_an_altered_original_is_found_by_its_hash_and_restored(archive):
    path = archive["other"].original.path
    altered = bytearray(path.read_bytes())
    altered[0] ^= 1
    path.write_bytes(bytes(altered))

    assert check(no_hash=True)[0], "without hashing, a file of the right size passes"
    ok, out = check()
    assert not ok
    assert f"original {path}: damaged (its bytes hash to " in out

    assert check(repair=True)[0]
    assert path.read_bytes() == OTHER_ARTICLE.encode()


def test_a_truncated_original_is_found_without_hashing(archive):
    path = archive["other"].original.path
    path.write_bytes(path.read_bytes()[:10])

    ok, out = check(no_hash=True)
    assert not ok
    assert f"original {path}: damaged (10 bytes, not {len(OTHER_ARTICLE.encode())})" in out


def test_an_article_without_import_record_is_named_and_cannot_be_repaired(archive):
    other = archive["other"]
    ImportRecord.objects.filter(article=other).delete()

    ok, out = check(repair=True)
    assert not ok
    assert f"cannot repair: article #{other.pk} “{other.title}”: no import record (its file was b.txt" in out
    assert "the path it was imported from is not recorded" in out
    assert out.strip().endswith("1 problem")


def test_quiet_check_prints_nothing_and_still_fails(archive):
    archive["index"].get_backend().remove(f"archive.article.{archive['first'].pk}")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_archive", verbosity=0, stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
