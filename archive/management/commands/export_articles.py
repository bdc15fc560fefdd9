import json
from pathlib import Path

from django.core.management.base import BaseCommand

from archive.export import write_csv
from archive.models import Article


class Command(BaseCommand):
    help = "Export every article, one record per article, as JSON lines or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, format, output, **options):
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as stream:
                self.write(stream, format)
        else:
            self.write(self.stdout, format)

    def write(self, stream, format):
        articles = Article.objects.for_export().order_by("pk").iterator(chunk_size=500)
        records = (article.export_record() for article in articles)
        if format == "jsonl":
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            write_csv(stream, records)
