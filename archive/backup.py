"""The archive in one file, and back: backup() writes the database and the stored originals into a
gzip-compressed tar with a manifest; restore() verifies one and restores it into an empty data folder.

The manifest (manifest.json, the last member) lists every other member with its sha256 and size, with
the archive's version, its last migration and the date. The search index is not backed up: restore()
rebuilds it from the database.
"""

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .export import archive_version
from .models import Article, Original
from .search.indexing import engine, index_articles

FORMAT = 1  # of the manifest and the members' names
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ORIGINAL_MEMBER = re.compile(r"originals/([0-9a-f]{2})/(\1[0-9a-f]{62})")
CHUNK = 1024 * 1024
# tarfile's default, 9, takes longer for a backup hardly smaller (dumps, and a database mostly of text).
COMPRESSLEVEL = 6


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why, naming the file or member."""


@dataclass(frozen=True)
class Written:
    database: str  # "sqlite" or "postgresql"
    originals: int
    size: int  # bytes of the backup file


@dataclass(frozen=True)
class Restored:
    articles: int
    originals: int
    indexed: int


def database_kind(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"backups are made of SQLite and PostgreSQL databases, not {vendor}")
    return vendor


# Backing up -------------------------------------------------------------------------------------


def backup(target: Path, using: str = "default") -> Written:
    """Write the backup to `target`, under a temporary name beside it until it is whole."""
    target = Path(target)
    kind = database_kind(using)
    if not target.parent.is_dir():
        raise BackupError(f"no such folder: {target.parent}")
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the backup file to write")
    # Readable by its owner alone, as the database it holds is (accounts and their password hashes).
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            with tarfile.open(target, mode="w:gz", fileobj=stream, compresslevel=COMPRESSLEVEL) as tar:
                # The database first: the originals listed after it include every one it refers to.
                members = [_add_database(tar, kind, target.parent, using), *_add_originals(tar)]
                manifest = {
                    "format": FORMAT,
                    "version": archive_version(),
                    "migration": _last_migration(using),
                    "created_at": timezone.now().isoformat(timespec="seconds"),
                    "database": kind,
                    "members": members,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return Written(kind, len(members) - 1, target.stat().st_size)


def _last_migration(using: str = "default") -> str:
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return max((name for app, name in applied if app == "archive"), default="")


def _add_database(tar: tarfile.TarFile, kind: str, folder: Path, using: str) -> dict:
    # The copy is as large as the database: it goes beside the backup, where there is room for that.
    handle, copy = tempfile.mkstemp(dir=folder, prefix=".database-", suffix=".partial")
    os.close(handle)
    try:
        if kind == "sqlite":
            _copy_sqlite(Path(copy), using)
        else:
            _run(["pg_dump", "--format=custom", "--file", copy], _postgres_environment(using))
        with open(copy, "rb") as stream:
            return _add_file(tar, DATABASE_MEMBERS[kind], stream, os.fstat(stream.fileno()).st_size)
    finally:
        Path(copy).unlink(missing_ok=True)


def _copy_sqlite(copy: Path, using: str) -> None:
    database = connections[using].settings_dict
    path = Path(database["NAME"])
    if not path.is_file():
        raise BackupError(f"no database at {path}")
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=database["OPTIONS"].get("timeout", 5))
    with closing(source), closing(sqlite3.connect(copy)) as target:
        # In one step: one read transaction, so one state of the database, while the write-ahead log
        # lets an import go on writing. A copy in steps starts again whenever another connection writes.
        source.backup(target)


def _add_originals(tar: tarfile.TarFile):
    """Every original the database lists, checked against its sha256 as it is read.

    An import stores the bytes before it commits their row, so each original listed is in place;
    those stored since the database was copied come along unused.
    """
    for sha256, size in Original.objects.order_by("sha256").values_list("sha256", "size").iterator():
        path = Original.path_for(sha256)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise BackupError(f"original {path} is missing: see check_archive --repair") from None
        with stream:
            stored = os.fstat(stream.fileno()).st_size
            if stored != size:
                raise BackupError(f"original {path} is damaged ({stored} bytes, not {size}): "
                                  "see check_archive --repair")
            member = _add_file(tar, f"originals/{sha256[:2]}/{sha256}", stream, size)
        if member["sha256"] != sha256:
            raise BackupError(f"original {path} is damaged (its bytes hash to {member['sha256']}): "
                              "see check_archive --repair")
        yield member


class _HashingReader:
    """A file read through once, its sha256 taken on the way (tarfile reads it in chunks)."""

    def __init__(self, stream):
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, name: str, stream, size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = size, int(time.time())
    reader = _HashingReader(stream)
    tar.addfile(info, reader)
    return {"name": name, "sha256": reader.digest.hexdigest(), "size": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    _add_file(tar, name, io.BytesIO(data), len(data))


def _sync_folder(folder: Path) -> None:
    """Make a rename in this folder survive a power cut."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _postgres_environment(using: str) -> dict[str, str]:
    """libpq's variables for Django's connection settings: the password stays off the command line."""
    database = connections[using].settings_dict
    values = {
        "PGDATABASE": database["NAME"], "PGUSER": database["USER"], "PGPASSWORD": database["PASSWORD"],
        "PGHOST": database["HOST"], "PGPORT": str(database["PORT"] or ""),
        "PGSSLMODE": database["OPTIONS"].get("sslmode", ""),
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from None


# Restoring --------------------------------------------------------------------------------------


def restore(source: Path, using: str = "default") -> Restored:
    """Verify a backup, restore it into the empty data folder (and database), rebuild the index.

    Nothing is put in place before every member matches the manifest, so a damaged backup leaves
    the folder as it was.
    """
    source = Path(source)
    kind = database_kind(using)
    if not source.is_file():
        raise BackupError(f"no such backup file: {source}")
    _refuse_unless_empty(kind, using)
    originals = Path(settings.ARCHIVE_ORIGINALS_DIR)
    originals.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside the originals' folder, so that it is put in place by a rename.
    staging = Path(tempfile.mkdtemp(dir=originals.parent, prefix=".restore-"))
    try:
        manifest = _unpack(source, staging)
        if manifest["database"] != kind:
            raise BackupError(f"{source} holds a {manifest['database']} database and this archive uses {kind}: "
                              "restore it with the database it was made from (DATABASE_URL)")
        _put_in_place(kind, staging, using)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    call_command("migrate", interactive=False, verbosity=0)  # a backup made before an upgrade
    indexed = rebuild_index(using)
    return Restored(Article.objects.count(), Original.objects.count(), indexed)


def _refuse_unless_empty(kind: str, using: str) -> None:
    held = []
    if kind == "sqlite":
        path = Path(connections[using].settings_dict["NAME"])
        if any(_size(file) for file in (path, path.with_name(path.name + "-wal"))):
            held.append(f"a database ({path})")
    elif connections[using].introspection.table_names():
        held.append(f"a database (PostgreSQL database {connections[using].settings_dict['NAME']} has tables)")
    originals = Path(settings.ARCHIVE_ORIGINALS_DIR)
    if originals.is_dir() and any(originals.iterdir()):
        held.append(f"originals ({originals})")
    if held:
        raise BackupError(f"a backup is restored into an empty data folder, and this one already holds "
                          f"{' and '.join(held)}; nothing was changed. Set ARCHIVE_DATA_DIR to a new folder"
                          + (" and DATABASE_URL to a new, empty database." if kind == "postgresql" else "."))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _unpack(source: Path, staging: Path) -> dict:
    """Unpack a backup into `staging`, hashing every member; its manifest, once everything matches it."""
    found, manifest = {}, None
    try:
        with tarfile.open(source, mode="r:*") as tar:
            for info in tar:
                name = info.name
                if name in found or (name == MANIFEST and manifest is not None):
                    raise BackupError(f"member {name} is in {source} twice")
                if not info.isfile() or not (name == MANIFEST or _member_expected(name)):
                    raise BackupError(f"{source} holds an unexpected member {name!r}: not a backup of this archive")
                stream = tar.extractfile(info)
                if name == MANIFEST:
                    manifest = _read_manifest(stream.read())
                    continue
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with path.open("wb") as target:
                    while chunk := stream.read(CHUNK):
                        digest.update(chunk)
                        target.write(chunk)
                found[name] = {"sha256": digest.hexdigest(), "size": info.size}
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{source} is not a whole backup (cut short or damaged): {error}") from None
    if manifest is None:
        raise BackupError(f"{source} has no {MANIFEST}: it is cut short, or not a backup of this archive")
    problems = _mismatches(manifest, found)
    if problems:
        raise BackupError(f"{source} does not match its manifest; nothing was restored:\n" + "\n".join(problems))
    return manifest


def _member_expected(name: str) -> bool:
    return name in DATABASE_MEMBERS.values() or ORIGINAL_MEMBER.fullmatch(name) is not None


def _read_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
        members = [(m["name"], m["sha256"], m["size"]) for m in manifest["members"]]
        kind, version = manifest["database"], manifest["format"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{MANIFEST} cannot be read: {error!r}") from None
    if not isinstance(version, int) or version > FORMAT:
        raise BackupError(f"{MANIFEST} is of format {version}; this version of the archive reads up to {FORMAT}")
    if kind not in DATABASE_MEMBERS or len({name for name, _, _ in members}) != len(members):
        raise BackupError(f"{MANIFEST} names an unknown database or a member twice")
    return manifest


def _mismatches(manifest: dict, found: dict[str, dict]) -> list[str]:
    """One line per member missing, extra, or whose bytes are not those the manifest describes."""
    listed = {member["name"]: member for member in manifest["members"]}
    problems = []
    if DATABASE_MEMBERS[manifest["database"]] not in listed:
        problems.append(f"member {DATABASE_MEMBERS[manifest['database']]}: not listed in the manifest")
    for name, member in listed.items():
        actual = found.get(name)
        if actual is None:
            problems.append(f"member {name}: listed in the manifest, missing from the backup")
        elif (actual["sha256"], actual["size"]) != (member["sha256"], member["size"]):
            problems.append(f"member {name}: its bytes hash to {actual['sha256']} ({actual['size']} bytes), "
                            f"the manifest says {member['sha256']} ({member['size']} bytes)")
        elif (match := ORIGINAL_MEMBER.fullmatch(name)) and actual["sha256"] != match[2]:
            problems.append(f"member {name}: its bytes hash to {actual['sha256']}, not to its name")
    problems += [f"member {name}: in the backup, not listed in the manifest" for name in sorted(found.keys() - listed)]
    return problems


def _put_in_place(kind: str, staging: Path, using: str) -> None:
    """The originals' folder by a rename, then the database; the originals are taken back if it fails."""
    originals, staged = Path(settings.ARCHIVE_ORIGINALS_DIR), staging / "originals"
    staged.mkdir(exist_ok=True)  # a backup of an archive without originals has none
    if originals.is_dir():
        originals.rmdir()  # empty, as checked
    os.replace(staged, originals)
    try:
        if kind == "sqlite":
            path = Path(connections[using].settings_dict["NAME"])
            connections[using].close()
            # Empty, as checked; a shared-memory file left from another database would be read as this one's.
            for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.move(staging / DATABASE_MEMBERS[kind], path)
        else:
            database = connections[using].settings_dict["NAME"]
            _run(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                  "--dbname", database, str(staging / DATABASE_MEMBERS[kind])], _postgres_environment(using))
    except BaseException:
        os.replace(originals, staged)
        raise


def rebuild_index(using: str = "default") -> int:
    """A new search index from the database, every article marked indexed; how many it holds.

    haystack's rebuild_index would leave `needs_indexing` as the backup had it, mid-import say.
    """
    engine(using).clear()
    return index_articles(Article.objects.values_list("pk", flat=True), using)
