"""Paths that cannot be read are reported with a reason and the batch goes on."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

import archive.importer
from archive.models import Article, ImportRecord

from .test_commands import ARTICLE, write

pytestmark = pytest.mark.django_db

# root reads files and folders whatever their mode: there the denial is simulated where the import reads.
AS_ROOT = os.geteuid() == 0


def deny_file(path: Path, monkeypatch):
    path.chmod(0)
    if AS_ROOT:
        read_dump = archive.importer.read_dump

        def denied(candidate: Path) -> bytes:
            if candidate == path:
                raise PermissionError(13, "Permission denied", str(path))
            return read_dump(candidate)

        monkeypatch.setattr(archive.importer, "read_dump", denied)


def deny_folder(path: Path, monkeypatch):
    path.chmod(0)
    if AS_ROOT:
        scandir = os.scandir

        def denied(folder="."):
            if Path(folder) == path:
                raise PermissionError(13, "Permission denied", str(path))
            return scandir(folder)

        monkeypatch.setattr(os, "scandir", denied)


@pytest.fixture
def odd_folder(tmp_path, monkeypatch):
    dumps = tmp_path / "dumps"
    write(dumps, "good.txt", ARTICLE)
    (dumps / "loop.txt").symlink_to("loop.txt")
    (dumps / "dangling.txt").symlink_to("missing.txt")
    os.mkfifo(dumps / "pipe.txt")  # reading it would wait forever for a writer
    deny_file(write(dumps, "secret.txt", ARTICLE.replace("三亚", "海口")), monkeypatch)
    deny_folder(write(dumps, "locked/inside.txt", ARTICLE).parent, monkeypatch)
    write(tmp_path / "elsewhere", "linked.txt", ARTICLE)
    (dumps / "link-to-elsewhere").symlink_to(tmp_path / "elsewhere")
    (dumps / "link-to-itself").symlink_to(".")
    yield dumps
    (dumps / "locked").chmod(0o755)


def test_unreadable_paths_are_reported_with_reasons_and_the_good_file_is_imported(odd_folder, tmp_path, capsys):
    out, err, report = io.StringIO(), io.StringIO(), tmp_path / "report.json"
    call_command("import_dumps", str(odd_folder), report=str(report), stdout=out, stderr=err)

    assert out.getvalue().strip() == "imported 1, updated 0, unchanged 0, duplicates 0, failed 2, not indexed 0"
    reasons = {Path(entry["path"]).name: (entry["status"], entry["reason"])
               for entry in json.loads(report.read_text(encoding="utf-8"))}
    assert reasons == {
        "good.txt": ("imported", ""),
        "loop.txt": ("skipped", "symlinked file, not followed"),
        "dangling.txt": ("skipped", "symlinked file, not followed"),
        "pipe.txt": ("failed", "cannot read file: not a regular file"),
        "secret.txt": ("failed", "cannot read file: Permission denied"),
        "locked": ("skipped", "cannot read folder: Permission denied"),
        "link-to-elsewhere": ("skipped", "symlinked folder, not followed"),
        "link-to-itself": ("skipped", "symlinked folder, not followed"),
    }
    said = err.getvalue() + capsys.readouterr().err  # failures are written beside the progress bar
    for name in ("loop.txt", "dangling.txt", "pipe.txt", "secret.txt", "locked", "link-to-itself"):
        assert name in said
    assert Article.objects.get().source_name == "good.txt"
    assert list(ImportRecord.objects.values_list("status", flat=True)) == ["imported"], "nothing to keep of the rest"


@pytest.mark.parametrize("name", ["loop.txt", "dangling.txt", "pipe.txt"])
def test_an_unreadable_path_given_by_itself_is_reported_not_fatal(odd_folder, name, capsys):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dumps", str(odd_folder / name), stdout=out, stderr=err)

    assert out.getvalue().strip() == "imported 0, updated 0, unchanged 0, duplicates 0, failed 1, not indexed 0"
    assert f"failed {odd_folder / name}: cannot read file" in capsys.readouterr().err
