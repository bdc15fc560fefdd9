"""backup_archive and restore_archive: a backup restores, in an empty data folder, to an archive that
answers the same searches, or is refused whole; a backup taken during an import restores consistent.

Each archive is a data folder of its own, driven through manage.py in a fresh process.
"""

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import tomllib
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from .conftest import FIXTURES, MAKE_CORPUS, requires_corpus_tool

ROOT = Path(__file__).resolve().parent.parent
DRILL_CORPUS = 400
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
requires_postgres = pytest.mark.skipif(
    not POSTGRES_URL.startswith(("postgres://", "postgresql://")),
    reason="PostgreSQL backups are tested under `make test-postgres` (DATABASE_URL=postgres://…)",
)

SEARCHES = [
    {"q": "公安"}, {"q": "路长制"}, {"q": '"警务广场"'}, {"q": "title:公安"}, {"q": "警"},
    {"q": "公安 -交警"}, {"q": "公安 NEAR 群众"}, {"q": "公安", "sort": "oldest"}, {},
]
# What each search finds, in order, with its facets: run inside an archive's own process.
SEARCH_SCRIPT = f"""
import json
from archive.search.service import SearchParams, search
answers = []
for params in {SEARCHES!r}:
    found = search(SearchParams(**params), page_size=100)
    answers.append({{"params": params, "count": found.count, "ids": [hit.article.pk for hit in found.hits],
                    "facets": {{name: [(v.value, v.count) for v in values] for name, values in found.facets.items()}}}})
print(json.dumps(answers))
"""
# Articles whose original is not stored with its sha256 (none, in a whole archive), and how many there are.
ORIGINALS_SCRIPT = """
import json
from archive.models import Article
from archive.originals import file_sha256
articles = list(Article.objects.select_related("original"))
wrong = [a.pk for a in articles if not a.original.path.is_file() or file_sha256(a.original.path) != a.original_id]
print(json.dumps({"articles": len(articles), "wrong": wrong}))
"""


def environment(data_dir: Path, database_url: str = "") -> dict[str, str]:
    """A process on its own data folder: SQLite there unless a database URL is given."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DJANGO_", "ARCHIVE_")) and name != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", ARCHIVE_DATA_DIR=str(data_dir))
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(data_dir: Path, *args: str, database_url: str = "", check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(data_dir, database_url),
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def output(data_dir: Path, script: str, database_url: str = "") -> object:
    """The JSON a script printed last, run by `manage.py shell` in the archive's process."""
    return json.loads(manage(data_dir, "shell", "-c", script, database_url=database_url).stdout.splitlines()[-1])


def exported(data_dir: Path, database_url: str = "") -> list[dict]:
    lines = manage(data_dir, "export_articles", "--format", "jsonl", database_url=database_url).stdout.splitlines()
    return [json.loads(line) for line in lines]


def archive_of(data_dir: Path, dumps: Path, database_url: str = "") -> Path:
    manage(data_dir, "migrate", "--noinput", "-v0", database_url=database_url)
    manage(data_dir, "import_dumps", str(dumps), "-v0", database_url=database_url)
    return data_dir


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) if folder.exists() else []


def members(backup: Path) -> dict[str, bytes]:
    with tarfile.open(backup) as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def rewritten(backup: Path, out: Path, changes: dict[str, bytes | None]) -> Path:
    """A copy of a backup with some members' bytes changed (None: left out), its manifest as it was."""
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members(backup).items():
            data = changes.get(name, data)
            if data is not None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> tuple[Path, Path]:
    """An archive of the fixture dumps and its backup."""
    folder = tmp_path_factory.mktemp("archived")
    live = archive_of(folder / "live", FIXTURES)
    manage(live, "backup_archive", str(folder / "archive.tar.gz"))
    return live, folder / "archive.tar.gz"


def test_a_restored_archive_answers_the_same_searches_with_the_same_articles(archived, tmp_path):
    live, backup = archived
    restored = tmp_path / "restored"
    (restored / "originals").mkdir(parents=True)  # an empty folder is an empty archive

    done = manage(restored, "restore_archive", str(backup))

    assert done.stdout.strip().startswith(f"restored {len(exported(live))} articles and ")
    before = output(live, SEARCH_SCRIPT)
    assert all(answer["ids"] for answer in before), before  # the comparison is of something
    assert output(restored, SEARCH_SCRIPT) == before
    assert exported(restored) == exported(live)
    manage(restored, "check_archive")


def test_the_backup_holds_the_database_the_originals_and_their_manifest_and_no_index(archived):
    live, backup = archived
    held = members(backup)
    manifest = json.loads(held.pop("manifest.json"))

    stored = sorted(str(path.relative_to(live)) for path in (live / "originals").rglob("*") if path.is_file())
    assert stored and sorted(held) == ["database.sqlite3", *stored]
    assert {member["name"]: (member["sha256"], member["size"]) for member in manifest["members"]} == {
        name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in held.items()
    }
    assert held["database.sqlite3"].startswith(b"SQLite format 3\x00")
    assert manifest["database"] == "sqlite"
    assert manifest["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert manifest["migration"].startswith("00")
    assert abs(datetime.fromisoformat(manifest["created_at"]) - datetime.now(UTC)) < timedelta(hours=1)
    assert backup.stat().st_mode & 0o777 == 0o600  # it holds the accounts' password hashes


@pytest.mark.parametrize("held", ["database", "originals"])
def test_restore_refuses_a_data_folder_that_already_holds_an_archive(archived, tmp_path, held):
    live, backup = archived
    target = tmp_path / "target"
    if held == "database":
        manage(target, "migrate", "--noinput", "-v0")
    else:
        shutil.copytree(live / "originals", target / "originals")
    before = listing(target)

    refused = manage(target, "restore_archive", str(backup), check=False)

    assert refused.returncode == 1
    assert "restored into an empty data folder" in refused.stderr
    assert ("a database (" in refused.stderr) == (held == "database"), refused.stderr
    assert ("originals (" in refused.stderr) == (held == "originals"), refused.stderr
    assert listing(target) == before


def damaged(members: dict[str, bytes], how: str) -> tuple[str, dict[str, bytes | None]]:
    """A member of a backup and its bytes changed one way (None: left out)."""
    original = next(name for name in sorted(members) if name.startswith("originals/"))
    flipped = {name: bytes([data[0] ^ 1]) + data[1:] for name, data in members.items()}
    return {
        "an original changed": (original, {original: flipped[original]}),
        "an original left out": (original, {original: None}),
        "the database changed": ("database.sqlite3", {"database.sqlite3": flipped["database.sqlite3"]}),
    }[how]


@pytest.mark.parametrize("how", ["an original changed", "an original left out", "the database changed"])
def test_restore_refuses_a_backup_that_does_not_match_its_manifest_and_leaves_nothing(archived, tmp_path, how):
    _, backup = archived
    name, changes = damaged(members(backup), how)
    broken = rewritten(backup, tmp_path / "broken.tar.gz", changes)
    target = tmp_path / "target"

    refused = manage(target, "restore_archive", str(broken), check=False)

    assert refused.returncode == 1
    assert f"member {name}: " in refused.stderr, refused.stderr
    assert "nothing was restored" in refused.stderr
    assert listing(target) == []


def test_restore_refuses_a_backup_cut_short(archived, tmp_path):
    _, backup = archived
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    target = tmp_path / "target"

    refused = manage(target, "restore_archive", str(cut), check=False)

    assert refused.returncode == 1
    assert "is not a whole backup" in refused.stderr or "has no manifest.json" in refused.stderr, refused.stderr
    assert listing(target) == []


def test_a_backup_that_fails_leaves_no_file_that_looks_whole(archived, tmp_path):
    live, _ = archived
    broken = tmp_path / "broken"
    shutil.copytree(live, broken)
    lost = next(path for path in sorted((broken / "originals").rglob("*")) if path.is_file())
    lost.unlink()
    backups = tmp_path / "backups"
    backups.mkdir()

    failed = manage(broken, "backup_archive", str(backups / "archive.tar.gz"), check=False)

    assert failed.returncode == 1
    assert f"original {lost} is missing" in failed.stderr, failed.stderr
    assert listing(backups) == []


def imported_count(data_dir: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=5)) as db:
            return db.execute("select count(*) from archive_importrecord").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.integration
@pytest.mark.slow
@requires_corpus_tool
def test_a_backup_taken_during_an_import_restores_to_a_consistent_archive(tmp_path):
    corpus, live, restored = tmp_path / "corpus", tmp_path / "live", tmp_path / "restored"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(DRILL_CORPUS), "--out", str(corpus),
                    "--seed", "backup", "--no-manifest", "-q"], check=True)
    manage(live, "migrate", "--noinput", "-v0")
    importing = subprocess.Popen([sys.executable, "manage.py", "import_dumps", str(corpus), "-v0"], cwd=ROOT,
                                 env=environment(live), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while imported_count(live) < DRILL_CORPUS // 4 and importing.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert importing.poll() is None, "the import ended before the backup could start"
        manage(live, "backup_archive", str(tmp_path / "archive.tar.gz"))
    finally:
        _, errors = importing.communicate(timeout=600)
    assert importing.returncode == 0, errors

    manage(restored, "restore_archive", str(tmp_path / "archive.tar.gz"))

    manage(restored, "check_archive")  # exits 0: nothing is wrong (else its output names what is)
    originals = output(restored, ORIGINALS_SCRIPT)
    assert originals["wrong"] == []
    assert 0 < originals["articles"] < output(live, ORIGINALS_SCRIPT)["articles"], "not a backup taken mid-import"
    # Each restored article is the live archive's, as the import left it, but for what files imported
    # after the backup add to it: more copies and near-duplicates, candidates scored on more articles.
    def own(record):
        return {name: value for name, value in record.items() if name not in LATER_FILES_ADD}

    whole = {record["id"]: own(record) for record in exported(live)}
    assert all(own(record) == whole[record["id"]] for record in exported(restored))


LATER_FILES_ADD = {"copies", "near_duplicates", "initiatives"}


@contextmanager
def scratch_database(server_url: str):
    """A new, empty database on the test server, dropped afterwards; its URL."""
    import psycopg
    from psycopg import sql

    name = f"archive_backup_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@requires_postgres
def test_a_postgresql_archive_restores_into_an_empty_database(tmp_path):
    with scratch_database(POSTGRES_URL) as source_url, scratch_database(POSTGRES_URL) as target_url:
        live = archive_of(tmp_path / "live", FIXTURES, source_url)
        backup = tmp_path / "archive.tar.gz"
        manage(live, "backup_archive", str(backup), database_url=source_url)
        assert "database.pgdump" in members(backup)

        refused = manage(tmp_path / "other", "restore_archive", str(backup), database_url=source_url, check=False)
        assert refused.returncode == 1 and "has tables" in refused.stderr, refused.stderr

        restored = tmp_path / "restored"
        manage(restored, "restore_archive", str(backup), database_url=target_url)

        before = output(live, SEARCH_SCRIPT, source_url)
        assert all(answer["ids"] for answer in before), before
        assert output(restored, SEARCH_SCRIPT, target_url) == before
        assert exported(restored, target_url) == exported(live, source_url)
        manage(restored, "check_archive", database_url=target_url)
