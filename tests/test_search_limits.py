"""Every search has a cost limit: what a query may hold, and the CPU time it may spend."""

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.search import service
from archive.search.indexing import engine
from archive.search.interface import AnyOf, Request, Word
from archive.search.query import MAX_QUOTED, MAX_QUOTED_LENGTH, MAX_TERMS, parse
from archive.search.service import SearchParams, search
from archive.slots import take_slot

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db

COMMON = ["是", "的", "在", "和", "了"]
# The hostile query: 16 quoted five-word phrases of common words ("是 的 的 的 的" "的 是 的 的 的" …).
SIXTEEN_PHRASES = " ".join(
    '"' + " ".join(COMMON[number % 5] if place == number // 5 % 5 else "的" for place in range(5)) + '"'
    for number in range(16)
)


@pytest.fixture
def engine_calls(monkeypatch):
    """The requests the search service sends the engine."""
    sent = []
    real = type(engine()).find

    def find(self, request):
        sent.append(request)
        return real(self, request)

    monkeypatch.setattr(type(engine()), "find", find)
    return sent


QUOTED_LIMIT = f"最多 {MAX_QUOTED} 个引号或 NEAR 检索"


@pytest.mark.parametrize(("q", "limit"), [
    (" ".join(f"词{number}" for number in range(MAX_TERMS + 1)), f"最多 {MAX_TERMS} 个词"),
    (SIXTEEN_PHRASES, QUOTED_LIMIT),
    (" ".join(f'"公安{number}"' for number in range(MAX_QUOTED + 1)), QUOTED_LIMIT),
    (" ".join(f"民警 NEAR/3 群众{number}" for number in range(MAX_QUOTED + 1)), QUOTED_LIMIT),
    ('"' + "公安" * MAX_QUOTED_LENGTH + '"', f"引号里最多 {MAX_QUOTED_LENGTH} 个字"),
])
def test_a_query_over_a_limit_is_refused_at_once_saying_which_limit(fixture_articles, engine_calls, q, limit):
    started = time.perf_counter()
    results = search(SearchParams(q=q))
    assert time.perf_counter() - started < 1  # no search ran (the bench measures the ≤ 50 ms)
    assert results.refused and results.count == 0 and not results.hits
    assert any(limit in note for note in results.notes)
    assert engine_calls == []


def test_a_query_at_the_limits_is_searched(fixture_articles):
    q = " ".join(["公安"] * (MAX_TERMS - MAX_QUOTED) + ['"公安局"'] * MAX_QUOTED)
    assert parse(q).refused == ""
    assert not search(SearchParams(q=q)).refused


def test_a_search_past_its_budget_answers_with_what_it_found_marked_partial(fixture_articles, monkeypatch):
    whole = search(SearchParams(q="公安"), page_size=100)
    assert not whole.partial and whole.count > 1
    monkeypatch.setattr(service, "SEARCH_BUDGET", 0.0)
    cut = search(SearchParams(q="公安"), page_size=100)
    assert cut.partial and cut.count < whole.count
    assert {hit.article.pk for hit in cut.hits} <= {hit.article.pk for hit in whole.hits}
    assert cut.count_label() == f"至少 {cut.count}"
    assert any("结果不完整" in note for note in cut.notes)


def test_the_engine_stops_at_the_budget_and_says_so(fixture_articles):
    every = Request(match=AnyOf((Word("公安"), Word("民警"))), end=None)
    whole = engine().find(every)
    assert not whole.partial
    assert engine().find(Request(match=every.match, end=None, budget=0.0)).partial
    assert engine().find(Request(match=every.match, end=None, budget=10.0)) == whole


def test_a_search_without_hits_tries_a_bounded_number_of_suggestions(fixture_articles, engine_calls):
    q = " ".join(f"没有的词{number}" for number in range(12))
    results = search(SearchParams(q=q))
    assert results.count == 0
    assert len(engine_calls) <= 1 + service.MAX_SUGGESTION_ATTEMPTS
    assert all(request.budget is not None for request in engine_calls)


def test_the_api_says_whether_a_search_was_refused_or_partial(fixture_articles, client, monkeypatch):
    refused = client.get("/api/search", {"q": SIXTEEN_PHRASES}).json()
    assert refused["refused"] and refused["count"] == 0 and refused["notes"]
    monkeypatch.setattr(service, "SEARCH_BUDGET", 0.0)
    partial = client.get("/api/search", {"q": "公安"}).json()
    assert partial["partial"] and not partial["refused"]


def test_the_page_shows_a_partial_count_as_at_least(fixture_articles, client, monkeypatch):
    monkeypatch.setattr(service, "SEARCH_BUDGET", 0.0)
    page = client.get("/search/", {"q": "公安"}).content.decode()
    assert "至少" in page and "结果不完整" in page


def test_the_csv_holds_every_result_even_when_a_page_would_be_partial(fixture_articles, client, monkeypatch):
    whole = search(SearchParams(q="公安"), page_size=100).count
    monkeypatch.setattr(service, "SEARCH_BUDGET", 0.0)
    response = client.get("/search.csv", {"q": "公安"})
    streamed = b"".join(response.streaming_content)
    response.close()
    rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
    assert len(rows) == 1 + whole


def test_exports_run_in_a_bounded_number_of_slots_and_others_are_asked_to_retry(fixture_articles, client, settings):
    settings.ARCHIVE_EXPORT_SLOTS = 1
    first = client.get("/search.csv", {"q": "公安"})
    refused = client.get("/search.csv", {"q": "公安"})  # while the first still streams
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    b"".join(first.streaming_content)
    first.close()  # the server closes a response once sent, or when the client went away
    again = client.get("/search.csv", {"q": "公安"})
    assert again.status_code == 200
    again.close()


def test_a_slot_is_let_go_when_its_worker_dies(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from archive.slots import take_slot; "
        f"slot = take_slot(Path({str(tmp_path)!r}), 1); print(slot is not None, flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert take_slot(tmp_path, 1) is None
    finally:
        holder.kill()
        holder.wait()
    assert take_slot(tmp_path, 1) is not None


def test_every_answer_says_the_cpu_time_of_its_request(fixture_articles, client):
    timing = client.get("/search/", {"q": "公安"})["Server-Timing"]
    assert timing.startswith("cpu;dur=") and float(timing.removeprefix("cpu;dur=")) > 0
