"""Which files an import reads: dumps under the given paths, and what is skipped and why."""

import os
from dataclasses import dataclass
from pathlib import Path

DUMP_SUFFIXES = (".txt", ".htm", ".html")


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def collect_dumps(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Dump files under paths (folders are walked recursively, in name order), and the rest skipped.

    Symlinked folders are not followed, so a link loop cannot trap the walk.
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
                for name in sorted(files):
                    consider(Path(folder) / name)
        else:
            consider(root)
    return found, skipped
