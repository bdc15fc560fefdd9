"""The store of original dumps: each file's untouched bytes under its sha256, written atomically.

A file is written under a temporary name and renamed, so a killed process never leaves a partial
original under a real name (only a `.incoming-…` file, which nothing reads).
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from .models import Original

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks: memory stays small however large the file."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


class DiskFull(Exception):
    """The data folder has no room for what comes next (the file at `path`); str(error) says where."""

    def __init__(self, message: str, path: Path | None = None):
        super().__init__(message)
        self.path = path


def check_free_space(needed: int) -> None:
    """Raise DiskFull unless the data folder has `needed` bytes free beyond ARCHIVE_MIN_FREE_MB.

    The margin leaves room for what a file costs beyond its bytes (its rows, the index's words) and
    for SQLite to commit or roll back: a disk filled to the last byte fails writes half-way.
    """
    folder = Path(settings.ARCHIVE_DATA_DIR)
    margin = settings.ARCHIVE_MIN_FREE_MB * 2**20
    free = shutil.disk_usage(folder).free
    if free < needed + margin:
        raise DiskFull(
            f"the data folder {folder} is nearly full: {free / 2**20:.1f} MB free, and an import leaves "
            f"{settings.ARCHIVE_MIN_FREE_MB} MB free (ARCHIVE_MIN_FREE_MB)"
        )


def store_original(sha256: str, raw: bytes) -> Original:
    """Keep these bytes (already in memory) under their sha256, once."""
    path = Original.path_for(sha256)
    if not (path.exists() and path.stat().st_size == len(raw)):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(raw)
            os.replace(temporary, path)
        except BaseException:  # a full disk, say: no partial file is left behind
            Path(temporary).unlink(missing_ok=True)
            raise
    return _row(sha256, len(raw))


def _row(sha256: str, size: int) -> Original:
    """The database row of stored bytes, inserted unless there: one query (get_or_create takes four)."""
    original = Original(sha256=sha256, size=size)
    Original.objects.bulk_create([original], ignore_conflicts=True)
    return original


def copy_into_store(source: Path) -> tuple[str, int]:
    """Copy a file into the store as it is hashed, never holding it whole; its sha256 and size.

    The hash is of the bytes copied, so a file changed since it was last hashed is still stored
    under the right name.
    """
    folder = Path(settings.ARCHIVE_ORIGINALS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as target, source.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        path = Original.path_for(digest.hexdigest())
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size
