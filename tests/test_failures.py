"""A search index that cannot be read: search answers 503 and says how to rebuild it, browsing goes
on without it, and check_archive names the damage and repairs it by rebuilding the index."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack import connections
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from archive import views
from archive.models import Article, City, Initiative
from archive.search.engine import storage
from archive.search.interface import IndexUnavailable
from archive.search.service import SearchParams, search

from .test_check_archive import check

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
REBUILD_ADVICE = ["检索索引需要重建", "manage.py check_archive --repair", "manage.py rebuild_index"]


def backend():
    return connections["default"].get_backend()


def index_files(suffix: str) -> list[Path]:
    return sorted(Path(backend().path).glob(f"*{suffix}"))


def truncate_a_segment():
    segment = index_files(".seg")[0]
    os.truncate(segment, segment.stat().st_size // 2)


def delete_a_segment():
    index_files(".seg")[0].unlink()


def truncate_the_table_of_contents():
    os.truncate(index_files(".toc")[-1], 10)


def write_as_an_older_version():
    """The table of contents as the version before MarkedPositions was renamed wrote it: its
    pickled schema names storage.ArrayPositions, which no longer exists."""
    files = FileStorage(backend().path)
    toc = TOC.read(files, backend().index.indexname)
    old = type("ArrayPositions", (storage.MarkedPositions,), {"__module__": storage.__name__})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "ArrayPositions", old, raising=False)  # only while it is pickled
        for name in toc.schema.names():
            if isinstance(toc.schema[name].format, storage.MarkedPositions):
                toc.schema[name].format.__class__ = old
        index_files(".toc")[-1].unlink()  # written anew, in its place
        toc.write(files, backend().index.indexname)


def delete_the_index_folder():
    shutil.rmtree(backend().path)


DAMAGES = {
    "a truncated segment": truncate_a_segment,
    "a deleted segment": delete_a_segment,
    "a truncated table of contents": truncate_the_table_of_contents,
    "an index written by an older version": write_as_an_older_version,
    "the index folder deleted": delete_the_index_folder,
}


@pytest.fixture(params=list(DAMAGES))
def damaged(request, fixture_articles):
    """The fixture articles, their index then damaged, as a server started afterwards finds it
    (the folder deleted: under a server that had opened it)."""
    DAMAGES[request.param]()
    if request.param != "the index folder deleted":
        connections.reload("default")
    return fixture_articles


def test_the_engine_raises_index_unavailable_naming_the_index(damaged):
    with pytest.raises(IndexUnavailable, match="the search index in .* cannot be read"):
        search(SearchParams(q="公安"))


def test_the_search_page_is_a_503_that_says_how_to_rebuild_the_index(client, damaged, caplog):
    for params in [{"q": "公安"}, {}, {"city": City.objects.filter(articles__isnull=False).first().slug}]:
        response = client.get("/search/", params)
        assert response.status_code == 503
        page = response.content.decode()
        for advice in REBUILD_ADVICE:
            assert advice in page
        assert 'class="site-nav"' in page, "in the site's own page"
    logged = [record for record in caplog.records if record.name == views.logger.name]
    assert logged and "check_archive --repair" in logged[0].getMessage()


def test_the_api_answers_a_json_503(client, damaged):
    response = client.get("/api/search", {"q": "公安"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "index unavailable"
    assert "check_archive --repair" in response.json()["message"]


def test_the_csv_is_a_503_and_gives_its_export_slot_back(client, damaged, settings):
    settings.ARCHIVE_EXPORT_SLOTS = 1
    for _ in range(2):  # a slot kept by the first would make the second a 429
        response = client.get("/search.csv", {"q": "公安"})
        assert response.status_code == 503
        assert "检索索引需要重建" in response.content.decode()


def test_browsing_and_article_pages_work_without_the_index(client, damaged):
    article = damaged.first()
    city = City.objects.filter(articles__isnull=False).first()
    initiative = Initiative.objects.filter(confirmed=True, articles__isnull=False).first()
    for url in ["/", "/cities/", city.get_absolute_url(), "/initiatives/", initiative.get_absolute_url(),
                "/about/", article.get_absolute_url(), f"{article.get_absolute_url()}?q=公安",
                f"/articles/{article.pk}/original/", f"/api/articles/{article.pk}"]:
        assert client.get(url).status_code == 200, url


def test_check_archive_names_the_damage_and_the_command_that_fixes_it(damaged):
    ok, out = check()
    assert not ok
    first, last = out.strip().splitlines()
    assert "the search index in " in first and "cannot be read" in first
    assert "check_archive --repair" in first and "rebuild_index" in first
    assert last == f"checked {Article.objects.count()} articles, {Article.objects.count()} originals, " \
                   "0 index entries: 1 problem"


def test_check_archive_repair_rebuilds_the_index(client, damaged):
    ok, out = check(repair=True)
    assert ok, out
    assert f"rebuilt the search index: {Article.objects.count()} articles indexed" in out
    assert check() == (True, f"checked {Article.objects.count()} articles, {Article.objects.count()} originals, "
                             f"{damaged.count()} index entries: 0 problems\n")
    response = client.get("/api/search", {"q": "公安"})
    assert response.status_code == 200
    assert response.json()["count"] > 0


def test_rebuild_index_rebuilds_a_damaged_index(client, damaged):
    call_command("rebuild_index", interactive=False, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    assert client.get("/search/", {"q": "公安"}).status_code == 200
    assert check()[0]


@pytest.mark.slow
def test_check_archive_on_a_damaged_index_exits_1_without_a_traceback(tmp_path):
    """As an operator runs it, in a process of its own."""
    env = {**{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "ARCHIVE_"))},
           "DJANGO_SETTINGS_MODULE": "config.settings", "ARCHIVE_DATA_DIR": str(tmp_path / "data")}

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    assert manage("import_dumps", str(FIXTURES), "-v0").returncode == 0
    segment = next((tmp_path / "data" / "whoosh").glob("*.seg"))
    os.truncate(segment, segment.stat().st_size // 2)

    checked = manage("check_archive", "--no-hash")
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    assert "check_archive --repair" in checked.stdout
    assert checked.stderr.strip().splitlines()[-1].startswith("CommandError: the archive is not consistent")

    repaired = manage("check_archive", "--repair", "--no-hash")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "rebuilt the search index" in repaired.stdout
