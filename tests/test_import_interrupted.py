"""Killing an import mid-batch loses nothing: re-running it gives the articles of an uninterrupted run."""

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
CORPUS_SIZE = 2000


def manage(data_dir: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
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


def test_killed_import_completes_on_rerun_with_the_same_articles(corpus, tmp_path):
    whole, interrupted = tmp_path / "whole", tmp_path / "interrupted"
    for data_dir in (whole, interrupted):
        run(data_dir, "migrate", "--noinput", "-v0")

    summary = run(whole, "import_dumps", str(corpus), "-v0").strip()
    assert summary.startswith("imported ")

    stop_after = random.Random().randint(CORPUS_SIZE // 5, CORPUS_SIZE * 4 // 5)
    process = manage(interrupted, "import_dumps", str(corpus), "-v0")
    deadline = time.monotonic() + 600
    while imported_count(interrupted) < stop_after and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = imported_count(interrupted)
    assert 0 < partial < CORPUS_SIZE

    rerun = run(interrupted, "import_dumps", str(corpus), "-v0").strip()
    assert f"unchanged {partial}," in rerun, rerun

    assert articles(interrupted) == articles(whole)
    assert index_matches_database(interrupted)
    again = run(interrupted, "import_dumps", str(corpus), "-v0").strip()
    assert again.startswith("imported 0, updated 0, unchanged ")
