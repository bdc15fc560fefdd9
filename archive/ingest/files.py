"""Which files an import reads, and reading one: dumps under the given paths, what is skipped and why."""

import os
import stat
from dataclasses import dataclass
from pathlib import Path

DUMP_SUFFIXES = (".txt", ".htm", ".html")
# Parsing and indexing take about 60 MB of memory per MB of text (a 3 MB dump peaks at about 510 MB,
# a 20 MB one at 1.5 GB); the largest real dump is 10 KB. Larger files are refused, their bytes kept.
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


def read_dump(path: Path) -> bytes:
    """The file's bytes, read only if it is a regular file of at most MAX_DUMP_BYTES.

    Raises OSError when it cannot be read (a dangling link, a link loop, no permission) or is not a
    regular file (a pipe would block the import forever), TooLarge when it is too large.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    if info.st_size > MAX_DUMP_BYTES:
        raise TooLarge(info.st_size)
    with path.open("rb") as stream:
        raw = stream.read(MAX_DUMP_BYTES + 1)  # never more, even if the file grew since stat()
    if len(raw) > MAX_DUMP_BYTES:
        raise TooLarge(max(len(raw), path.stat().st_size))
    return raw


def collect_dumps(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Dump files under paths (folders are walked recursively, in name order), and the rest skipped.

    Symlinked folders are reported and not followed, so a link loop cannot trap the walk.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []

    def consider(path: Path):
        if path.suffix.lower() in DUMP_SUFFIXES:
            found.append(path)
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
                    consider(Path(folder) / name)
        else:
            consider(root)
    return found, skipped
