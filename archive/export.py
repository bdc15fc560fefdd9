"""The export record as CSV: shared by the export command and the search's CSV download."""

import csv
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

FIELDS = [
    "id", "source_file", "sha256", "encoding", "title", "published_on", "date_estimate", "date_evidence",
    "outlet", "authors", "photographers", "editors", "city", "province", "places", "officials", "initiatives",
    "script", "body", "headings", "comments", "forum_location", "forum_views", "forum_replies", "url",
    "version", "copies", "near_duplicate_of", "near_duplicates",
]
# `export_articles --all`: one record per source file, naming the article it repeats.
FILE_FIELDS = [*FIELDS, "duplicate_of"]


def archive_version() -> str:
    """The archive software's version (pyproject.toml), named in backups and exports."""
    return tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["project"]["version"]


def export_meta(query: dict, hits: int, exported_at) -> dict:
    """What an export of a search names: its query, when it was made, how many hits, which archive."""
    return {"kind": "meta", "query": query, "exported_at": exported_at.isoformat(timespec="seconds"),
            "hits": hits, "archive_version": archive_version()}


# What makes a spreadsheet read a cell as a formula (=HYPERLINK(…), +1, -1, @SUM(…)), or hide it:
# such a cell gets a leading ' (OWASP's advice), which spreadsheets show as text. JSON keeps the value.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value) -> str:
    """Lists in one cell: names joined by "; ", structured items as JSON; never a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            value = "; ".join(value)
        else:
            value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(stream, records, fields=FIELDS) -> None:
    writer = csv.DictWriter(stream, fieldnames=fields)
    writer.writeheader()
    for record in records:
        writer.writerow({name: csv_value(record[name]) for name in fields})


class _Line:
    """A file whose write() returns what it was given: csv's writer then makes one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(records) -> Iterator[str]:
    """The CSV of the records (header first), a row at a time, for a streaming response."""
    writer = csv.DictWriter(_Line(), fieldnames=FIELDS)
    yield writer.writeheader()
    for record in records:
        yield writer.writerow({name: csv_value(record[name]) for name in FIELDS})
