from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_archive into an empty data folder (and database): every member is "
        "checked against the manifest's sha256 first; then the database and the originals, and a new index."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup to restore")

    def handle(self, *args, file, verbosity, **options):
        try:
            restored = restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(f"restored {restored.articles} articles and {restored.originals} originals from "
                              f"{file}; {restored.indexed} articles in the search index")
