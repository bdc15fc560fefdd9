"""Killing an import mid-batch, again and again, loses nothing: re-running it gives the articles of an
uninterrupted run, and check_archive finds the database, the originals and the index in agreement."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import MAKE_CORPUS, requires_corpus_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow, requires_corpus_tool]

ROOT = Path(__file__).resolve().parent.parent
CORPUS_SIZE = 1000
KILLS = 3


def manage(data_dir: Path, *args: str, **kwargs) -> subprocess.Popen:
    # The runs use a database of their own in their data folder, even when the suite runs on PostgreSQL.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update(ARCHIVE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, **kwargs)


def run(data_dir: Path, *args: str) -> str:
    process = manage(data_dir, *args)
    out, _ = process.communicate(timeout=900)
    assert process.returncode == 0, out
    return out


def articles(data_dir: Path) -> list[dict]:
    """Every article as exported, without what depends on the order of insertion."""
    records = [json.loads(line) for line in run(data_dir, "export_articles", "--format", "jsonl").splitlines()]
    for record in records:
        del record["id"], record["url"]
    return sorted(records, key=lambda record: (record["source_file"], record["sha256"]))


def index_matches_database(data_dir: Path) -> bool:
    """The search index holds exactly the articles that should be found, none waiting."""
    check = (
        "from haystack.query import SearchQuerySet; from archive.models import Article; "
        "indexed = {int(r.pk) for r in SearchQuerySet().all()[:100000]}; "
        "wanted = set(Article.objects.canonical().values_list('pk', flat=True)); "
        "print(indexed == wanted and not Article.objects.filter(needs_indexing=True).exists())"
    )
    return run(data_dir, "shell", "-c", check).strip().splitlines()[-1] == "True"


def imported_count(data_dir: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from archive_importrecord").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(CORPUS_SIZE), "--out", str(folder),
                    "--bad-fraction", "0.02", "--seed", "interrupt", "-q"], check=True)
    return folder


def group_members(group: int) -> list[int]:
    """Processes of this process group still alive (zombies waiting to be reaped are dead)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # ended while we looked
        if int(process_group) == group and state != "Z":
            members.append(int(stat.parent.name))
    return members


def kill_import(data_dir: Path, corpus: Path, stop_after: int) -> int:
    """Start an import, kill it and its workers once `stop_after` files are recorded; how many were."""
    process = manage(data_dir, "import_dumps", str(corpus), "-v0", start_new_session=True)
    deadline = time.monotonic() + 600
    while imported_count(data_dir) < stop_after and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the whole group: the writing process and its workers
    process.wait()
    process.stdout.close()
    deadline = time.monotonic() + 10
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert group_members(process.pid) == [], "a worker outlived the import"
    return imported_count(data_dir)


def test_import_killed_several_times_completes_on_rerun_with_the_same_articles(corpus, tmp_path):
    whole, interrupted = tmp_path / "whole", tmp_path / "interrupted"
    for data_dir in (whole, interrupted):
        run(data_dir, "migrate", "--noinput", "-v0")

    summary = run(whole, "import_dumps", str(corpus), "-v0").strip()
    assert summary.startswith("imported ")

    stops = sorted(random.Random().sample(range(CORPUS_SIZE // 10, CORPUS_SIZE * 9 // 10), KILLS))
    print(f"killing after {stops} files")  # shown when the test fails, to replay the same points
    recorded = 0
    for stop_after in stops:
        partial = kill_import(interrupted, corpus, stop_after)
        assert recorded <= partial < CORPUS_SIZE, stops
        recorded = partial

    rerun = run(interrupted, "import_dumps", str(corpus), "-v0").strip()
    assert f"unchanged {recorded}," in rerun, rerun

    assert articles(interrupted) == articles(whole)
    assert index_matches_database(interrupted)
    run(interrupted, "check_archive")  # exits 0: nothing is wrong (else its output names what is)
    again = run(interrupted, "import_dumps", str(corpus), "-v0").strip()
    assert again.startswith("imported 0, updated 0, unchanged ")
