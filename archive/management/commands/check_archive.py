import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive import consistency
from archive.search.indexing import engine
from archive.search.interface import IndexLocked, IndexUnavailable


class Command(BaseCommand):
    help = (
        "Compare the database, the stored originals and the search index and report every mismatch, "
        "one line each; exits non-zero while anything is wrong. --repair fixes what can be fixed, and "
        "rebuilds a search index that cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true",
                            help="re-index missing articles, remove stray index entries, rebuild an index that "
                                 "cannot be read, restore originals from their source files, and say what "
                                 "cannot be fixed")
        parser.add_argument("--no-hash", action="store_true",
                            help="check that originals exist with their size, without hashing them again")

    def handle(self, *args, repair, no_hash, verbosity, **options):
        if repair:
            try:
                engine().wait_until_writable()
            except IndexLocked as error:
                raise CommandError(str(error)) from error
            except IndexUnavailable:
                pass  # the check names it, and the repair rebuilds the index
        report = self._check(not no_hash, verbosity)
        self._say(verbosity, *(problem.text for problem in report.problems))
        if repair and report.problems:
            try:
                self._say(verbosity, *consistency.repair(report))
            except IndexLocked as error:  # another writer took the index meanwhile
                raise CommandError(str(error)) from error
            report = self._check(not no_hash, verbosity)  # what is left
            self._say(verbosity, *(f"still wrong: {problem.text}" for problem in report.problems))
        self._say(verbosity, report.line())
        if report.problems:
            raise CommandError(f"the archive is not consistent: {report.line()}")

    def _check(self, hash_originals: bool, verbosity: int) -> consistency.Report:
        def track(originals, total):
            return tqdm(originals, total=total, unit="file", desc="checking originals", disable=verbosity == 0,
                        file=sys.stderr)

        try:
            return consistency.check(hash_originals=hash_originals, track=track)
        except NotImplementedError as error:
            raise CommandError(str(error)) from error

    def _say(self, verbosity: int, *lines: str):
        if verbosity:
            for line in lines:
                self.stdout.write(line)
