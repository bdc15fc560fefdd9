"""The search index's write lock: wait a bounded time for it, and name whoever holds it.

Whoosh takes its index's write lock with flock() on `<index folder>/MAIN_WRITELOCK`
(whoosh.util.filelock.FcntlLock). The kernel releases such a lock when its holder ends, however it
ends (SIGKILL included), so a dead process never leaves the index locked. The file stays behind
and is harmless; it is never deleted, since deleting a lock file another process has open would
let two writers in at once. What can block is a live holder that does not finish: stopped, hung,
or waiting on a full disk. haystack's update() then waits for the lock without end (its Whoosh
AsyncWriter retries forever), so commands that write the index first wait for the lock at most a
set time and, if it stays held, stop with a message naming the file and the process holding it.
"""

import os
from pathlib import Path

from whoosh.util.filelock import try_for

from ..interface import IndexLocked

PROCESS_STATES = {"R": "running", "S": "sleeping", "D": "waiting on the disk", "T": "stopped",
                  "t": "stopped by a debugger", "Z": "exited"}


def lock_file(path: str, indexname: str) -> Path:
    return Path(path) / f"{indexname}_WRITELOCK"


def wait_for_lock(index, path: str, timeout: float) -> None:
    """Return once the index's write lock is free (taken and released at once); IndexLocked if it
    stays held for `timeout` seconds."""
    lock = index.lock("WRITELOCK")  # Whoosh's own lock object: the same file, the same flock()
    if not try_for(lock.acquire, timeout=timeout, delay=0.2):
        held = lock_file(path, index.indexname)
        holders = ", ".join(map(describe_process, lock_holders(held))) or "another process"
        raise IndexLocked(
            f"the search index is locked: {held} has been held for {timeout:g} s by {holders}. "
            "A process that holds it is stuck or still writing: let it finish or end it, then run this again."
        )
    lock.release()


def lock_holders(path: Path) -> list[int]:
    """Ids of the processes holding a lock on this file, from the kernel's table (Linux; else none)."""
    try:
        info = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    file_id = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    holders = []
    for line in table.splitlines():
        # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2179083 0 EOF"; waiting requests read "1: -> FLOCK …"
        fields = line.split()
        if len(fields) >= 6 and fields[1] != "->" and fields[5] == file_id:
            holders.append(int(fields[4]))
    return holders


def describe_process(pid: int) -> str:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"process {pid}"
    return f"process {pid} ({PROCESS_STATES.get(state, state)}: {' '.join(command.split())[:120]})"
