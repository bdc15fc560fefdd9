"""Which files an import reads, and reading one: dumps under the given paths, what is skipped and why."""

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DUMP_SUFFIXES = (".txt", ".htm", ".html")
# Parsing and indexing take about 60 MB of memory per MB of text (a 3 MB dump peaks at about 510 MB,
# a 20 MB one at 1.5 GB); the largest real dump is 10 KB. Larger files are refused and left where they
# are: copying them into the store would let one file fill the disk.
MAX_DUMP_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


class TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(too_large_reason(size))
        self.size = size


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0")


def too_large_reason(size: int) -> str:
    return f"file too large ({megabytes(size)} MB; limit {megabytes(MAX_DUMP_BYTES)} MB)"


def open_dump(path: Path) -> BinaryIO:
    """The file opened for reading, if it is a regular file and not a link.

    Raises OSError otherwise: a link is not followed (it could lead to any file the import may
    read), and a pipe or a device is not opened (a pipe would block the import forever).
    """
    if not stat.S_ISREG(path.lstat().st_mode):
        raise OSError("not a regular file")
    # The checks hold for what is opened, even if the path was replaced since lstat().
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    stream = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        stream.close()
        raise OSError("not a regular file")
    return stream


def read_dump(path: Path) -> bytes:
    """The file's bytes, read only if it is a regular file of at most MAX_DUMP_BYTES (see open_dump).

    Raises OSError when it cannot be read, TooLarge when it is too large.
    """
    with open_dump(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > MAX_DUMP_BYTES:
            raise TooLarge(size)
        raw = stream.read(MAX_DUMP_BYTES + 1)  # never more, even if the file grew since fstat()
    if len(raw) > MAX_DUMP_BYTES:
        raise TooLarge(max(len(raw), size))
    return raw


def dump_sha256(path: Path) -> str:
    """The sha256 of a file (see open_dump), read in chunks: memory stays small however large it is."""
    with open_dump(path) as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def collect_dumps(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Dump files under paths (folders are walked recursively, in name order), and the rest skipped.

    Links met in the folders, to files or to folders, are reported and not followed: a link could
    lead the import to any file it may read (and publish it), or trap the walk in a loop. A path
    given is taken as it is, link or not.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []

    def consider(path: Path, target: Path):
        if path.suffix.lower() in DUMP_SUFFIXES:
            found.append(target)
        else:
            skipped.append(Skipped(path, f"not a dump (only {', '.join(DUMP_SUFFIXES)} are imported)"))

    def unreadable(error: OSError):
        skipped.append(Skipped(Path(error.filename or ""), f"cannot read folder: {error.strerror}"))

    for root in paths:
        if root.is_dir():
            for folder, dirs, files in os.walk(root, onerror=unreadable):
                dirs.sort()
                for name in dirs:
                    if os.path.islink(os.path.join(folder, name)):
                        skipped.append(Skipped(Path(folder) / name, "symlinked folder, not followed"))
                for name in sorted(files):
                    if os.path.islink(os.path.join(folder, name)):
                        skipped.append(Skipped(Path(folder) / name, "symlinked file, not followed"))
                    else:
                        consider(Path(folder) / name, Path(folder) / name)
        else:
            consider(root, _resolved(root))
    return found, skipped


def _resolved(path: Path) -> Path:
    """A path given, its links followed; a dangling link or a loop stays as it is (it fails to read)."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
        return path
