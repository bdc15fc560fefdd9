"""The export record as CSV: shared by the export command and the search's CSV download."""

import csv
import json

FIELDS = [
    "id", "source_file", "sha256", "encoding", "title", "published_on", "outlet", "authors", "city",
    "province", "places", "officials", "initiatives", "script", "body", "comments", "url",
]


def csv_value(value) -> str:
    """Lists in one cell: names joined by "; ", structured items as JSON."""
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(stream, records) -> None:
    writer = csv.DictWriter(stream, fieldnames=FIELDS)
    writer.writeheader()
    for record in records:
        writer.writerow({name: csv_value(record[name]) for name in FIELDS})
