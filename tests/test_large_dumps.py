"""Very large dumps are refused with a clear reason and their sha256, left where they are, within bounded memory."""

import hashlib
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.ingest import files
from archive.models import Article, ImportRecord, Original

from .test_commands import ARTICLE, run_import, write

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
SENTENCES = [line.strip() for line in ARTICLE.splitlines() if line.startswith("  ") and "。" in line]


def long_article(size: int, seed: int = 1) -> bytes:
    """A news article of `size` bytes of UTF-8 Chinese: a headline, a dateline, varied paragraphs."""
    rng = random.Random(seed)
    parts, length = ["三亚公安推行“路长制” 警民融合一家亲\n\n  2018年10月21日  来源:新华社\n\n"], 0
    while length < size:
        paragraph = "  " + "".join(rng.choices(SENTENCES, k=rng.randint(2, 5))) + f"第{rng.randint(1, 99999)}段。\n\n"
        parts.append(paragraph)
        length += len(paragraph.encode())
    return "".join(parts).encode()[:size]  # may end inside a character, which the import accepts


@pytest.mark.django_db
def test_a_file_over_the_limit_is_failed_with_its_size_and_hash_and_left_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_DUMP_BYTES", 1 * MB)
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    big = write(tmp_path / "dumps", "big.txt", long_article(MB + MB // 2))

    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 0, failed 1, not indexed 0"
    record = ImportRecord.objects.get(path=str(big.resolve()))
    assert (record.status, record.reason) == ("failed", "file too large (1.5 MB; limit 1 MB)")
    assert record.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert record.original is None and not Original.objects.filter(sha256=record.sha256).exists()
    assert record.size == big.stat().st_size
    assert Article.objects.count() == 1

    assert run_import(tmp_path / "dumps") == "imported 0, updated 0, unchanged 2, duplicates 0, failed 0, not indexed 0"


@pytest.mark.django_db
def test_a_file_at_the_limit_is_imported(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_DUMP_BYTES", 100_000)
    write(tmp_path, "a.txt", long_article(100_000))

    assert run_import(tmp_path / "a.txt") == "imported 1, updated 0, unchanged 0, duplicates 0, failed 0, not indexed 0"


@pytest.mark.django_db
def test_a_dry_run_reports_a_large_file_and_keeps_nothing(tmp_path, monkeypatch, data_dir):
    monkeypatch.setattr(files, "MAX_DUMP_BYTES", 1 * MB)
    write(tmp_path, "big.txt", long_article(2 * MB))
    out = io.StringIO()
    call_command("import_dumps", str(tmp_path / "big.txt"), dry_run=True, stdout=out, stderr=io.StringIO())

    assert "failed 1" in out.getvalue()
    assert not Original.objects.exists() and not (data_dir / "originals").exists()


def timed_import(dumps: Path, data: Path) -> tuple[str, float, float]:
    """Import a folder in a fresh archive of its own: (summary line, seconds, peak memory in MB).

    The archive uses a SQLite database in its data folder, even when the suite runs on PostgreSQL.
    """
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update(ARCHIVE_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="config.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "manage.py", "import_dumps", str(dumps), "-v0"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return out.strip(), time.monotonic() - started, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


@pytest.mark.slow
def test_huge_dumps_are_refused_and_one_at_the_limit_imported_within_bounded_memory(tmp_path):
    write(tmp_path / "small", "a.txt", ARTICLE)
    dumps = tmp_path / "dumps"
    write(dumps, "at-limit.txt", long_article(files.MAX_DUMP_BYTES))
    write(dumps, "20mb.txt", long_article(20 * MB, seed=2))
    write(dumps, "25mb.txt", long_article(25 * MB, seed=3))

    # Memory is compared with an import of one ordinary article on the same machine: what the process
    # needs anyway (Django, the dictionary) varies from machine to machine, what a dump adds should not.
    _, _, baseline_mb = timed_import(tmp_path / "small", tmp_path / "baseline")
    out, seconds, peak_mb = timed_import(dumps, tmp_path / "data")
    print(f"import of {files.megabytes(files.MAX_DUMP_BYTES)}, 20 and 25 MB dumps: {seconds:.0f} s, "
          f"peak memory {peak_mb:.0f} MB; one ordinary article: {baseline_mb:.0f} MB")

    assert out == "imported 1, updated 0, unchanged 0, duplicates 0, failed 2, not indexed 0"
    # The dump at the limit costs about 60 times its size (words, index postings); the refused ones nothing.
    assert peak_mb - baseline_mb < 100 * files.MAX_DUMP_BYTES / MB
    assert seconds < 120
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env.update(ARCHIVE_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="config.settings")
    report = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c",
         "from archive.models import ImportRecord\n"
         "for r in ImportRecord.objects.order_by('path'): print(r.path.rsplit('/', 1)[1], r.status, r.reason)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    limit = files.megabytes(files.MAX_DUMP_BYTES)
    assert report.splitlines() == [
        f"20mb.txt failed file too large (20 MB; limit {limit} MB)",
        f"25mb.txt failed file too large (25 MB; limit {limit} MB)",
        "at-limit.txt imported ",
    ]
    for name in ("20mb.txt", "25mb.txt"):
        sha256 = hashlib.sha256((dumps / name).read_bytes()).hexdigest()
        assert not (tmp_path / "data" / "originals" / sha256[:2] / sha256).exists()
