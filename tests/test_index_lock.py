"""The search index's write lock: a killed holder frees it at once; a stuck one stops the import with a message."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, ImportRecord
from archive.search.engine.locking import lock_file, lock_holders

from .test_commands import ARTICLE, run_import, write

# Takes the index's write lock as Whoosh's writer() does (FileIndex.lock("WRITELOCK")), then holds it.
HOLD_THE_LOCK = """
import sys, time
from whoosh.filedb.filestore import FileStorage
lock = FileStorage(sys.argv[1]).lock(sys.argv[2] + "_WRITELOCK")  # held while referenced
assert lock.acquire()
print("locked", flush=True)
time.sleep(600)
"""


def index_lock_file():
    from haystack import connections

    backend = connections["default"].get_backend()
    return lock_file(backend.path, backend.index.indexname)


@pytest.fixture
def lock_timeout(search_index, monkeypatch):
    """Set how long a writer waits for the lock (the connection's LOCK_TIMEOUT)."""
    return lambda seconds: monkeypatch.setattr(search_index.get_backend(), "lock_timeout", seconds)


@pytest.fixture
def holder(search_index):
    backend = search_index.get_backend()
    backend.setup()
    process = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, backend.path, backend.index.indexname],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "locked"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_a_holder_killed_with_sigkill_leaves_the_lock_free_and_the_next_import_does_not_wait(
        holder, tmp_path, lock_timeout):
    assert lock_holders(index_lock_file()) == [holder.pid]
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    assert index_lock_file().exists(), "the file stays; the kernel released the lock on it"
    assert lock_holders(index_lock_file()) == []
    lock_timeout(30)
    write(tmp_path, "a.txt", ARTICLE)
    started = time.monotonic()
    assert run_import(tmp_path / "a.txt").startswith("imported 1,")
    assert time.monotonic() - started < 10


def test_a_stopped_holder_stops_the_import_with_a_message_naming_the_lock_file_and_the_process(
        holder, tmp_path, lock_timeout):
    os.kill(holder.pid, signal.SIGSTOP)
    lock_timeout(1)
    write(tmp_path, "a.txt", ARTICLE)

    with pytest.raises(CommandError) as raised:
        call_command("import_dumps", str(tmp_path / "a.txt"), stdout=io.StringIO(), stderr=io.StringIO())
    message = str(raised.value)
    assert f"the search index is locked: {index_lock_file()} has been held for 1 s by process {holder.pid} (stopped" \
        in message
    assert "Nothing was imported." in message
    assert not Article.objects.exists() and not ImportRecord.objects.exists()

    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert run_import(tmp_path / "a.txt").startswith("imported 1,")


def test_check_archive_repair_waits_for_the_lock_and_stops_with_the_same_message(holder, lock_timeout):
    os.kill(holder.pid, signal.SIGSTOP)
    lock_timeout(1)

    with pytest.raises(CommandError, match=f"held for 1 s by process {holder.pid} "):
        call_command("check_archive", repair=True, stdout=io.StringIO(), stderr=io.StringIO())
