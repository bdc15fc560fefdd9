"""The whole set of a search: JSONL with a first line of kind meta, CSV with the same in headers."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from archive.export import FIELDS, archive_version

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(search_index):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_jsonl_export_names_its_query_then_gives_every_hits_record(client, imported):
    response = client.get("/search.jsonl", {"q": "公安", "province": "海南"})
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    meta, *records = [json.loads(line) for line in streamed(response).splitlines()]
    found = client.get("/api/search", {"q": "公安", "province": "海南"}).json()
    assert meta["kind"] == "meta"
    assert meta["query"] == {"q": "公安", "province": "海南"}
    assert meta["hits"] == found["count"] == len(records) > 0
    assert meta["archive_version"] == archive_version() and meta["exported_at"]
    assert [record["id"] for record in records] == [result["id"] for result in found["results"]]
    assert all(list(record) == FIELDS for record in records)


def test_a_csv_export_names_its_query_date_hits_and_version_in_headers(client, imported):
    response = client.get("/search.csv", {"q": "路长制"})
    rows = list(csv.reader(io.StringIO(streamed(response).removeprefix("\ufeff"))))
    assert response["X-Archive-Query"] == "q=%E8%B7%AF%E9%95%BF%E5%88%B6"
    assert int(response["X-Archive-Hits"]) == len(rows) - 1 > 0
    assert response["X-Archive-Version"] == archive_version()
    assert response["X-Archive-Exported-At"]
