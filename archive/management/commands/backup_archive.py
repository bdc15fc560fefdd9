from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database and every stored original, with a manifest of their sha256 and sizes, into one "
        "file (a gzip-compressed tar), whole or not at all. The search index is left out: it is rebuilt."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup to write, e.g. archive-2025-01-31.tar.gz")

    def handle(self, *args, file, verbosity, **options):
        try:
            written = backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(f"backed up the {written.database} database and {written.originals} originals "
                              f"to {file} ({written.size / 1e6:.1f} MB)")
