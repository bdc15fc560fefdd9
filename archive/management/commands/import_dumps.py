import gc
import json
import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.importer import SKIPPED, Importer, Outcome, Summary, prepare_files
from archive.ingest.files import collect_dumps
from archive.models import ImportRecord
from archive.search.indexes import sync_dictionary
from archive.search.indexing import deferred_indexing, engine, index_pending
from archive.search.interface import IndexLocked

# Allocations between collections of the youngest generation (Python's default: 700): fewer
# collections while parsing and indexing, about a tenth of the run's time.
GC_THRESHOLD = 50_000


class Command(BaseCommand):
    help = (
        "Import raw article dumps (.txt, .htm, .html) from files or folders (recursively). "
        "Unchanged files are skipped; each file is imported in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="dump files or folders")
        parser.add_argument("--report", type=Path, help="write one JSON entry per file to this file")
        parser.add_argument("--dry-run", action="store_true", help="read and parse, write nothing")
        parser.add_argument("--force", action="store_true", help="parse again files whose bytes are unchanged")
        parser.add_argument(
            "--workers", type=int, default=None,
            help="processes that parse and segment (default: one per CPU for 100 files or more, else none)",
        )

    def handle(self, *args, paths, report, dry_run, force, workers, verbosity, **options):
        missing = [str(path) for path in paths if not os.path.lexists(path)]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        if not dry_run:
            self._check_data_folder()
            try:
                engine().wait_until_writable()
            except IndexLocked as error:
                raise CommandError(f"{error} Nothing was imported.") from error

        files, skipped = collect_dumps(paths)
        summary = Summary([Outcome(str(item.path), SKIPPED, item.reason) for item in skipped])
        for item in skipped:
            self.stderr.write(f"skipped {item.path}: {item.reason}")

        if workers is None:
            workers = (os.cpu_count() or 1) if len(files) >= 100 else 1
        if not dry_run and (left := index_pending()) and verbosity:
            self.stderr.write(f"indexed {left} articles an earlier run had left out of the search index")
        sync_dictionary()  # the workers cut words as the index will
        importer = Importer(dry_run=dry_run, force=force)
        # What is loaded by now (dictionary, gazetteer, known paths) lives as long as the run: out of
        # the garbage collector's sight, as the run allocates millions of short-lived objects.
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        prepared_files = prepare_files(importer, files, workers)
        batch = engine().write_batch  # articles handed to the index at a time
        with deferred_indexing(background=workers > 1 and not dry_run) as indexing:
            for number, prepared in enumerate(
                tqdm(prepared_files, total=len(files), unit="file", desc="importing", disable=verbosity == 0,
                     file=sys.stderr), start=1
            ):
                path = prepared.path
                try:
                    outcome = importer.save(prepared)
                except Exception as error:  # the file's transaction was rolled back; the batch goes on
                    outcome = Outcome(str(path), ImportRecord.Status.FAILED, f"not saved: {error!r}")
                summary.outcomes.append(outcome)
                if prepared.cut and outcome.article_id:
                    indexing.words_cut(outcome.article_id, prepared.cut)
                if outcome.status == ImportRecord.Status.FAILED and verbosity:
                    tqdm.write(f"failed {path}: {outcome.reason}", file=sys.stderr)
                elif verbosity >= 2:
                    tqdm.write(f"{outcome.status} {path} {outcome.title}", file=sys.stderr)
                if number % batch == 0:
                    indexing.flush()

        if report:
            entries = [outcome.as_dict() for outcome in summary.outcomes]
            Path(report).write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(summary.line())

    def _check_data_folder(self):
        folder = Path(settings.ARCHIVE_ORIGINALS_DIR)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise CommandError(
                f"the data folder {settings.ARCHIVE_DATA_DIR} is not writable ({error.strerror}); "
                "set ARCHIVE_DATA_DIR to a folder you can write"
            ) from error
