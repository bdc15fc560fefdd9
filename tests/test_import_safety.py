"""Files that could stall an import, lead it outside the import folder or fill the disk: each is
stopped, skipped or refused with a reason, and the rest of the batch is imported."""

import errno
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from django.core.management import CommandError, call_command
from django.db import OperationalError
from hypothesis import given, settings
from hypothesis import strategies as st

import archive.importer
import archive.originals
import archive.search.indexing
from archive.importer import Importer
from archive.ingest import files, html
from archive.models import Article, ImportRecord, Original

from .test_commands import ARTICLE, OTHER_ARTICLE, run_import, write
from .test_large_dumps import long_article

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
STALL = "【卡住】"  # the files the tests make slow, or fatal, to parse
THIRD_ARTICLE = """鹰潭公安推出“网上公安局” 群众办事少跑腿

  鹰潭市公安局开通“网上公安局”,户籍、出入境、交管等六十余项业务可在网上申请、网上查询进度。

  市民李女士说,过去给孩子办户口要跑三趟派出所,现在在手机上提交材料,第二天就能领取。

  鹰潭市公安局还在各乡镇设立自助服务点,由社区民警帮助老年人操作,让群众少跑腿、好办事。
"""


def closing_line(imported=0, unchanged=0, failed=0, not_indexed=0) -> str:
    return (f"imported {imported}, updated 0, unchanged {unchanged}, duplicates 0, failed {failed}, "
            f"not indexed {not_indexed}")


def nested_page(depth: int) -> str:
    """A page whose article sits `depth` <div> deep: 11 bytes a level (200,000 levels: 2.2 MB)."""
    return ("<html><head><title>三亚公安推行路长制_海口网</title></head><body>" + "<div>" * depth
            + "<p>三亚市公安局推行“路长制”以来,民警、协警担任路管员,各级路长在执勤中既管交通、又管治安。</p>"
            + "</div>" * depth + "</body></html>")


# Deeply nested markup


def test_deeply_nested_markup_takes_time_in_proportion_to_its_size():
    seconds = {}
    for depth in (20_000, 200_000):
        started = time.process_time()
        title, text = html.html_to_text(nested_page(depth))
        seconds[depth] = time.process_time() - started
        assert (title, text[:8]) == ("三亚公安推行路长制", "三亚市公安局推行")
    print(f"20,000 levels: {seconds[20_000]:.2f} s, 200,000: {seconds[200_000]:.2f} s")
    # Ten times the markup: about ten times the time (the quadratic chrome remover took a hundred times).
    assert seconds[200_000] < 30 * seconds[20_000]


@pytest.mark.django_db
def test_a_dump_of_200000_nested_divs_is_imported_well_within_the_time_limit(tmp_path, settings):
    dump = write(tmp_path / "dumps", "nested.html", nested_page(200_000))
    write(tmp_path / "dumps", "after.txt", OTHER_ARTICLE)
    assert 2_000_000 < dump.stat().st_size < files.MAX_DUMP_BYTES

    started = time.monotonic()
    assert run_import(tmp_path / "dumps") == closing_line(imported=2)
    assert time.monotonic() - started < settings.ARCHIVE_PARSE_TIME_LIMIT / 4
    assert Article.objects.filter(source_name="nested.html", title="三亚公安推行路长制").exists()


def decompose_chrome_as_before(markup: str) -> tuple[str | None, str]:
    """html_to_text as it was written before it skipped the chrome instead of removing it: bs4's
    own decompose() and get_text(), correct but quadratic in the depth of the markup."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html._SURROGATE.sub("\ufffd", markup.replace("\x00", "")), "lxml")
    title_tag = soup.find("title")
    page_title = html._strip_site_name(html._one_line(title_tag)) if title_tag else ""
    root = soup.body or soup
    for tag in root.find_all(list(html._DROP_TAGS)):
        if not tag.decomposed and not (tag.name in ("header", "footer") and tag.find_parent("article")):
            tag.decompose()
    total = len(root.get_text())
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        names = " ".join([str(tag.get("id") or ""), *tag.get_attribute_list("class")])
        if html._CHROME.search(names) and len(tag.get_text()) <= total / 2:
            tag.decompose()
    h1 = root.find("h1")
    headline = html._one_line(h1) if h1 else ""
    if headline:
        h1.decompose()
        return headline, html._join_lines(headline + "\n\n" + html._render(root))
    return page_title or None, html._render(root)


# Ruby annotations (<rt>, <rp>) are left out: get_text() of an <rt> itself counts its annotation,
# which no other element's does, and a chrome class on an annotation does not occur.
_PIECES = st.sampled_from(
    ["<p>", "</p>", "<div class='nav'>", "<div class='has-sidebar'>", "<div id='share'>", "</div>", "<br>",
     "<h1>", "</h1>", "<h1 class='share'>", "<title>", "</title>", "<script>", "</script>", "<style>x</style>",
     "<!--", "-->", "&nbsp;", "三亚", "公安局推行路长制", "<table><tr><td>", "<header>", "</header>", "<footer>",
     "</footer>", "<div class='footer'>", "<article>", "</article>", "<nav>", "</nav>", "<span class='menu'>",
     "</span>", "<body>", "\n", "abc"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=60))
def test_skipping_the_chrome_gives_the_text_that_decomposing_it_gave(pieces):
    markup = "".join(pieces)
    assert html.html_to_text(markup) == decompose_chrome_as_before(markup)


# The time limit


def stall_on(marker: str, monkeypatch, stall) -> None:
    """Make parsing a file that holds `marker` do `stall` (in the worker, which inherits this)."""
    parse = archive.importer.parse_dump

    def parse_or_stall(raw, *args):
        if marker.encode() in raw:
            stall()
        return parse(raw, *args)

    monkeypatch.setattr(archive.importer, "parse_dump", parse_or_stall)


def spin():
    while True:  # busy, as lxml or a regular expression would be: no signal handler of ours runs
        pass


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_parsed_past_the_time_limit_is_failed_with_its_bytes_kept_and_the_batch_goes_on(
        tmp_path, settings, monkeypatch, workers):
    settings.ARCHIVE_PARSE_TIME_LIMIT = 1
    stall_on(STALL, monkeypatch, spin)
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    stuck = write(tmp_path / "dumps", "b.txt", THIRD_ARTICLE + STALL)
    write(tmp_path / "dumps", "c.txt", OTHER_ARTICLE)

    started = time.monotonic()
    assert run_import(tmp_path / "dumps", workers=workers) == closing_line(imported=2, failed=1)
    assert time.monotonic() - started < 15
    record = ImportRecord.objects.get(path=str(stuck.resolve()))
    assert (record.status, record.reason) == ("failed", "parsing took too long (stopped at the limit of 1 s)")
    assert record.original.read_bytes() == stuck.read_bytes()
    assert record.sha256 == hashlib.sha256(stuck.read_bytes()).hexdigest()
    assert multiprocessing.active_children() == [], "the stuck worker was killed, the others ended"

    # Known by its bytes, it is not parsed again.
    assert run_import(tmp_path / "dumps", workers=workers) == closing_line(unchanged=3)


@pytest.mark.django_db
def test_a_file_whose_worker_dies_is_failed_with_the_cause_and_the_batch_goes_on(tmp_path, monkeypatch):
    stall_on(STALL, monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))  # as the OOM killer does
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    fatal = write(tmp_path / "dumps", "b.txt", THIRD_ARTICLE + STALL)
    write(tmp_path / "dumps", "c.txt", OTHER_ARTICLE)

    assert run_import(tmp_path / "dumps", workers=2) == closing_line(imported=2, failed=1)
    record = ImportRecord.objects.get(path=str(fatal.resolve()))
    assert record.reason == "could not be prepared: its process was killed (SIGKILL)"
    assert record.original.read_bytes() == fatal.read_bytes()


@pytest.mark.django_db
def test_workers_killed_between_files_are_replaced_and_no_file_is_lost(tmp_path, monkeypatch):
    dumps = [write(tmp_path / "dumps", f"{number:02}.txt", long_article(3000, seed=number)) for number in range(12)]
    save, killed = Importer.save, []

    def save_after_killing_the_workers(self, prepared):
        if not killed:  # the first file is in: the others are queued, being prepared or waiting
            killed.extend(multiprocessing.active_children())
            for worker in killed:
                os.kill(worker.pid, signal.SIGKILL)
        return save(self, prepared)

    monkeypatch.setattr(Importer, "save", save_after_killing_the_workers)
    run_import(tmp_path / "dumps", workers=2)

    assert len(killed) == 2
    assert sorted(ImportRecord.objects.values_list("path", flat=True)) == [str(dump.resolve()) for dump in dumps]
    assert set(ImportRecord.objects.filter(status="failed").values_list("reason", flat=True)) <= {
        "could not be prepared: its process was killed (SIGKILL)"}


# Links


def stored_originals(data_dir: Path) -> set[str]:
    return {path.name for path in (data_dir / "originals").rglob("*") if path.is_file()}


@pytest.mark.django_db
def test_links_in_the_import_folder_are_skipped_and_nothing_of_their_targets_is_read_or_stored(
        tmp_path, data_dir, capsys):
    private = tmp_path / "private"
    write(private, "secret.txt", THIRD_ARTICLE).chmod(0o600)
    write(private, "key.txt", b"\x00\x01 private key \xff" * 20).chmod(0o600)  # failed, bytes kept, if read
    write(private, "more/other.txt", OTHER_ARTICLE)
    dumps = tmp_path / "dumps"
    good = write(dumps, "good.txt", ARTICLE)
    (dumps / "secret.txt").symlink_to(private / "secret.txt")
    (dumps / "key.txt").symlink_to(private / "key.txt")
    (dumps / "more").symlink_to(private / "more")
    out, err, report = io.StringIO(), io.StringIO(), tmp_path / "report.json"

    call_command("import_dumps", str(dumps), report=str(report), stdout=out, stderr=err)

    assert out.getvalue().strip() == closing_line(imported=1)
    reasons = {Path(entry["path"]).name: (entry["status"], entry["reason"])
               for entry in json.loads(report.read_text(encoding="utf-8"))}
    assert reasons == {
        "good.txt": ("imported", ""),
        "secret.txt": ("skipped", "symlinked file, not followed"),
        "key.txt": ("skipped", "symlinked file, not followed"),
        "more": ("skipped", "symlinked folder, not followed"),
    }
    said = err.getvalue() + capsys.readouterr().err
    assert f"skipped {dumps / 'secret.txt'}: symlinked file, not followed" in said
    assert f"skipped {dumps / 'key.txt'}: symlinked file, not followed" in said
    assert list(ImportRecord.objects.values_list("path", flat=True)) == [str(good.resolve())]
    assert stored_originals(data_dir) == {hashlib.sha256(good.read_bytes()).hexdigest()}


def test_reading_a_dump_never_follows_a_link_even_one_made_after_the_folder_was_walked(tmp_path):
    target = write(tmp_path, "target.txt", ARTICLE)
    dump = write(tmp_path / "dumps", "a.txt", OTHER_ARTICLE)
    found, _ = files.collect_dumps([tmp_path / "dumps"])
    dump.unlink()
    dump.symlink_to(target)

    assert found == [dump]
    for read in (files.read_dump, files.dump_sha256):
        with pytest.raises(OSError, match="not a regular file"):
            read(dump)


# Large files


def sparse_file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.truncate(path, size)  # holes: no disk space used
    return path


@pytest.mark.django_db
def test_a_sparse_file_over_the_limit_is_recorded_with_its_hash_and_not_copied(tmp_path, monkeypatch, data_dir):
    monkeypatch.setattr(files, "MAX_DUMP_BYTES", 1 * MB)
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    big = sparse_file(tmp_path / "dumps" / "big.txt", 400 * MB)

    assert run_import(tmp_path / "dumps") == closing_line(imported=1, failed=1)
    record = ImportRecord.objects.get(path=str(big.resolve()))
    assert (record.status, record.reason) == ("failed", "file too large (400 MB; limit 1 MB)")
    with big.open("rb") as stream:
        assert record.sha256 == hashlib.file_digest(stream, "sha256").hexdigest()
    assert (record.size, record.original) == (400 * MB, None)
    assert not Original.objects.filter(sha256=record.sha256).exists()
    assert record.sha256 not in stored_originals(data_dir)
    assert sum(path.stat().st_size for path in (data_dir / "originals").rglob("*") if path.is_file()) < MB

    assert run_import(tmp_path / "dumps") == closing_line(unchanged=2)


def test_a_file_too_large_is_hashed_in_chunks_never_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_DUMP_BYTES", 1 * MB)
    big = sparse_file(tmp_path / "big.txt", 400 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(files.TooLarge):
            files.read_dump(big)
        files.dump_sha256(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB


# A full disk


def three_dumps(folder: Path) -> list[Path]:
    return [write(folder, "a.txt", ARTICLE), write(folder, "b.txt", OTHER_ARTICLE),
            write(folder, "c.txt", THIRD_ARTICLE)]


def import_until_stopped(folder: Path) -> tuple[str, str]:
    """Run an import that must stop: (its closing line, its message)."""
    out = io.StringIO()
    with pytest.raises(CommandError) as stop:
        call_command("import_dumps", str(folder), stdout=out, stderr=io.StringIO(), verbosity=1)
    assert stop.value.returncode == 1
    return out.getvalue().strip().splitlines()[-1], str(stop.value)


def assert_nothing_of(path: Path, data_dir: Path) -> None:
    """Nothing of this dump is stored: no record, no article, no original, no partial file."""
    assert not ImportRecord.objects.filter(path=str(path.resolve())).exists()
    assert not Article.objects.filter(source_name=path.name).exists()
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert not Original.objects.filter(sha256=sha256).exists()
    assert stored_originals(data_dir) == set(Original.objects.values_list("sha256", flat=True))


@pytest.mark.django_db
def test_the_import_stops_before_a_file_would_fill_the_disk_and_a_rerun_completes(
        tmp_path, settings, monkeypatch, data_dir):
    settings.ARCHIVE_MIN_FREE_MB = 10
    disk_usage, checks = shutil.disk_usage, []

    def filling_disk(path):  # room for two files, then 5 MB free
        checks.append(path)
        return disk_usage(path)._replace(free=100 * MB if len(checks) <= 2 else 5 * MB)

    monkeypatch.setattr(shutil, "disk_usage", filling_disk)
    dumps = three_dumps(tmp_path / "dumps")

    line, message = import_until_stopped(tmp_path / "dumps")
    assert line == closing_line(imported=2)
    assert message.startswith(f"the data folder {data_dir} is nearly full: 5.0 MB free, and an import leaves "
                              "10 MB free (ARCHIVE_MIN_FREE_MB); the import stopped before storing ")
    assert str(dumps[2]) in message and "run the import again" in message
    assert checks == [data_dir] * 3
    assert_nothing_of(dumps[2], data_dir)

    monkeypatch.setattr(shutil, "disk_usage", disk_usage)
    assert run_import(tmp_path / "dumps") == closing_line(imported=1, unchanged=2)


class FillingStream:
    """A file being written that runs out of space halfway through the bytes that hold `marker`."""

    def __init__(self, stream, marker: bytes):
        self.stream, self.marker = stream, marker

    def write(self, data):
        if self.marker in data:
            self.stream.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.stream.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def full_while_storing(monkeypatch, marker: bytes):
    fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *args, **kwargs: FillingStream(
        fdopen(fd, mode, *args, **kwargs), marker) if mode == "wb" else fdopen(fd, mode, *args, **kwargs))


def full_while_recording(monkeypatch, marker: bytes):
    save_record = Importer._save_record

    def failing(self, record, key, outcome, *args):
        if key.endswith("c.txt"):
            cause = sqlite3.OperationalError("database or disk is full")
            cause.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise OperationalError(*cause.args) from cause  # as Django raises it
        return save_record(self, record, key, outcome, *args)

    monkeypatch.setattr(Importer, "_save_record", failing)


@pytest.mark.django_db
@pytest.mark.parametrize(("fill", "cause"), [(full_while_storing, "[Errno 28] No space left on device"),
                                             (full_while_recording, "database or disk is full")])
def test_a_write_failing_for_want_of_space_stops_the_import_with_nothing_half_stored(
        tmp_path, monkeypatch, data_dir, fill, cause):
    dumps = three_dumps(tmp_path / "dumps")
    fill(monkeypatch, THIRD_ARTICLE.encode())

    line, message = import_until_stopped(tmp_path / "dumps")
    assert line == closing_line(imported=2)
    assert message.startswith(f"the data folder {data_dir} is full ({cause}); the import stopped before "
                              f"storing {dumps[2]}, and nothing of that file was kept.")
    assert_nothing_of(dumps[2], data_dir)
    assert not list((data_dir / "originals").rglob(".incoming-*"))

    monkeypatch.undo()
    assert run_import(tmp_path / "dumps") == closing_line(imported=1, unchanged=2)


# Indexing


@pytest.mark.django_db
def test_articles_the_index_could_not_take_are_counted_and_the_exit_status_is_2(tmp_path, monkeypatch, search_index):
    index_articles = archive.search.indexing.index_articles

    def index_unavailable(ids, *args, **kwargs):
        if ids:
            raise OSError(errno.EIO, "the index cannot be written")
        return 0

    monkeypatch.setattr(archive.search.indexing, "index_articles", index_unavailable)
    write(tmp_path / "dumps", "a.txt", ARTICLE)
    write(tmp_path / "dumps", "b.txt", OTHER_ARTICLE)
    out = io.StringIO()
    with pytest.raises(CommandError) as stop:
        call_command("import_dumps", str(tmp_path / "dumps"), stdout=out, stderr=io.StringIO())

    assert out.getvalue().strip() == closing_line(imported=2, not_indexed=2)
    assert stop.value.returncode == 2
    assert str(stop.value).startswith("2 articles are stored but not in the search index yet")

    monkeypatch.setattr(archive.search.indexing, "index_articles", index_articles)
    assert run_import(tmp_path / "dumps") == closing_line(unchanged=2)
    assert not Article.objects.filter(needs_indexing=True).exists()


# A real full disk: a small tmpfs holds the data folder (database, originals, index) of an archive
# run in processes of its own.

DISK_MB = 48
DUMPS_ON_DISK = 20


@contextmanager
def small_disk(mount_point: Path) -> Iterator[Path]:
    """A tmpfs mounted here for the test. Where it cannot be mounted the test is skipped, except on
    CI, where it fails: there the check must not quietly go missing."""
    mount_point.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount_point)],
                                 capture_output=True, text=True)
        problem = mounted.stderr.strip() if mounted.returncode else ""
    except FileNotFoundError:
        problem = "no mount command"
    if problem:
        reason = f"cannot mount a {DISK_MB} MB tmpfs to fill up ({problem}); it takes root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


def manage(data_dir: Path, *args: str, min_free_mb: int) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "ARCHIVE_SEARCH_PATH")}
    env.update(ARCHIVE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings",
               ARCHIVE_MIN_FREE_MB=str(min_free_mb))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def fill(disk: Path, leave: int) -> Path:
    """A file taking all the disk's free space but `leave` bytes."""
    filler = disk / "filler"
    with filler.open("wb") as stream:
        os.posix_fallocate(stream.fileno(), 0, shutil.disk_usage(disk).free - leave)
    return filler


def assert_archive_whole(data_dir: Path) -> None:
    """The database is sound, and every stored original is recorded and holds the bytes of its name."""
    with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        recorded = {sha256 for (sha256,) in db.execute("select sha256 from archive_original")}
        articles = db.execute("select count(*) from archive_article where original_id is null").fetchone()
    assert articles == (0,)
    stored = {path.name: path for path in (data_dir / "originals").rglob("*") if path.is_file()}
    assert set(stored) == recorded
    for sha256, path in stored.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


@pytest.mark.slow
@pytest.mark.parametrize(("min_free_mb", "leave_mb"), [(20, 24), (0, 2)], ids=["nearly-full", "full"])
def test_on_a_full_disk_the_import_stops_cleanly_and_a_rerun_after_freeing_space_completes(
        tmp_path, min_free_mb, leave_mb):
    """Nearly full: the free-space check stops it. Full: a write fails for want of space (SQLite's,
    an original's or the index's), with no margin left to stop before."""
    with small_disk(tmp_path / "disk") as disk:
        import_onto(disk, tmp_path / "dumps", min_free_mb, leave_mb)


def import_onto(disk: Path, dumps: Path, min_free_mb: int, leave_mb: int) -> None:
    for number in range(DUMPS_ON_DISK):
        write(dumps, f"{number:02}.txt", long_article(200_000, seed=number))
    data_dir = disk / "data"
    assert manage(data_dir, "migrate", "--noinput", "-v0", min_free_mb=min_free_mb).returncode == 0
    filler = fill(disk, leave_mb * MB)

    stopped = manage(data_dir, "import_dumps", str(dumps), "-v0", min_free_mb=min_free_mb)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    message = stopped.stderr.strip().splitlines()[-1]
    assert message.startswith(f"CommandError: the data folder {data_dir} is "), stopped.stderr
    assert "Free some space there, then run the import again" in message
    imported = int(stopped.stdout.split()[1].rstrip(","))
    assert 0 < imported < DUMPS_ON_DISK, stopped.stdout
    assert_archive_whole(data_dir)

    filler.unlink()
    rerun = manage(data_dir, "import_dumps", str(dumps), "-v0", min_free_mb=min_free_mb)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rerun.stdout.strip() == closing_line(imported=DUMPS_ON_DISK - imported, unchanged=imported)
    assert_archive_whole(data_dir)
    checked = manage(data_dir, "check_archive", min_free_mb=min_free_mb)
    assert checked.returncode == 0, checked.stdout  # database, originals and index agree
