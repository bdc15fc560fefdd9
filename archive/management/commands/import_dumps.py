import gc
import json
import logging
import os
import sys
import tempfile
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.candidates import rescore_candidates
from archive.importer import SKIPPED, Importer, Outcome, Summary, prepare_files
from archive.ingest.files import collect_dumps
from archive.models import Article, ImportRecord
from archive.originals import DiskFull
from archive.search.indexes import sync_dictionary
from archive.search.indexing import deferred_indexing, engine, index_pending
from archive.search.interface import IndexLocked

# Allocations between collections of the youngest generation (Python's default: 700): fewer
# collections while parsing and indexing, about a tenth of the run's time.
GC_THRESHOLD = 50_000
# The exit status when articles were stored but the search index could not take them all.
NOT_INDEXED = 2

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Import raw article dumps (.txt, .htm, .html) from files or folders (recursively). "
        "Unchanged files are skipped; each file is imported in one transaction. Exits with 2 when "
        "articles were stored but the search index could not take them all."
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
        if not dry_run:
            self._index_pending(verbosity)
        sync_dictionary()  # the workers cut words as the index will
        importer = Importer(dry_run=dry_run, force=force)
        # What is loaded by now (dictionary, gazetteer, known paths) lives as long as the run: out of
        # the garbage collector's sight, as the run allocates millions of short-lived objects.
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        stopped, saving_ended = None, False
        try:
            with deferred_indexing(background=workers > 1 and not dry_run) as indexing:
                try:
                    with closing(prepare_files(importer, files, workers)) as prepared_files:
                        self._save_all(importer, prepared_files, len(files), summary, indexing, verbosity)
                except DiskFull as error:  # what was saved is kept, and indexed as the block ends
                    stopped = error
                saving_ended = True
        except Exception:
            if not saving_ended:
                raise
            # The index failed as the block ended: its articles stay marked, for the next import.
            logger.exception("could not bring the search index up to date")
        if not dry_run:
            rescore_candidates()  # from all the archive's mentions, so that no order of files shows
            summary.not_indexed = Article.objects.filter(needs_indexing=True).count()

        if report:
            entries = [outcome.as_dict() for outcome in summary.outcomes]
            Path(report).write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(summary.line())
        if stopped:
            raise CommandError(
                f"{stopped}; the import stopped before storing {stopped.path}, and nothing of that file was "
                "kept. Free some space there, then run the import again: the files imported so far are "
                "kept, the rest are imported then."
            )
        if summary.not_indexed:
            raise CommandError(
                f"{summary.not_indexed} articles are stored but not in the search index yet (the errors "
                "above say why); the next import_dumps, or check_archive --repair, indexes them.",
                returncode=NOT_INDEXED,
            )

    def _save_all(self, importer, prepared_files, total, summary, indexing, verbosity):
        """Save each prepared file in order; the batch goes on past a file that fails, not past a full disk."""
        batch = engine().write_batch  # articles handed to the index at a time
        progress = tqdm(prepared_files, total=total, unit="file", desc="importing", disable=verbosity == 0,
                        file=sys.stderr)
        for number, prepared in enumerate(progress, start=1):
            path = prepared.path
            try:
                outcome = importer.save(prepared)
            except DiskFull:
                raise
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

    def _index_pending(self, verbosity):
        """Index what an earlier run left out; if the index cannot take it, the import goes on (and
        counts those articles as not indexed)."""
        try:
            left = index_pending()
        except Exception:
            logger.exception("could not index the articles an earlier run had left out of the search index")
            return
        if left and verbosity:
            self.stderr.write(f"indexed {left} articles an earlier run had left out of the search index")

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
