import json
from pathlib import Path

from django.core.management.base import BaseCommand

from archive.export import FIELDS, FILE_FIELDS, write_csv
from archive.models import Article


class Command(BaseCommand):
    help = (
        "Export the archive as JSON lines or CSV: one record per article (its copies and near-duplicates "
        "named in it), or with --all one record per source file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
        parser.add_argument("--all", action="store_true", dest="every_file",
                            help="one record per source file, with duplicate_of naming the article it repeats")

    def handle(self, *args, format, output, every_file, **options):
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as stream:
                self.write(stream, format, every_file)
        else:
            self.write(self.stdout, format, every_file)

    def write(self, stream, format, every_file):
        articles = Article.objects.for_export().order_by("pk")
        if every_file:
            records = (row for article in articles.iterator(chunk_size=500) for row in article.file_records())
        else:
            records = (article.export_record() for article in articles.canonical().iterator(chunk_size=500))
        if format == "jsonl":
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            write_csv(stream, records, FILE_FIELDS if every_file else FIELDS)
