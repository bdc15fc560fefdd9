"""Search results pinned in a golden file: what each query finds, in which order, with which counts.

The file (tests/golden/search.json) was written before the search code moved into archive/search/;
any change in what a query finds must land with the file updated, query by query, and say why in
its commit message. To rewrite it after a deliberate change: GOLDEN_UPDATE=1 pytest tests/test_golden_search.py
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from archive.models import Article, City, Initiative
from archive.search.service import SearchParams, search

from .conftest import MAKE_CORPUS, requires_corpus_tool, requires_dumps

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden" / "search.json"
ALL_HITS = 10_000

# Every shape the search page makes: words, phrases, OR, exclusion, headline-only, either script,
# filters, sorts and browsing without words.
WORD_QUERIES = [
    "公安", "警务", "治安", "群众", "民生警务", "五小", "派出所", "局长",
    "公安 群众", "警务 改革", "公安 民警 群众", "公安 民警 群众 服务", "公安 民警 群众 服务 社区",
    '"警务 广场"', '"公安 局长"', '"群众 满意"', '"公安 局长" "民生 警务"',
    "路长制 OR 警保联控", "五小 OR 枫桥经验", "公安 -交警", "警务 -派出所", "title:公安", 'title:"民生 警务"',
    "楓橋經驗", "公安機關", "警務", "110", "G20", "不存在的词语组合", "警", "鹰", "5+2",
]


def top_city_and_initiative():
    city = City.objects.annotate(n=Count("articles")).filter(n__gt=0).order_by("-n", "slug").first()
    initiative = (Initiative.objects.filter(confirmed=True).annotate(n=Count("articles")).filter(n__gt=0)
                  .order_by("-n", "slug").first())
    return city, initiative


def searches() -> dict[str, dict]:
    """Each search of the golden file by its name, as search parameters."""
    city, initiative = top_city_and_initiative()
    found = {f"q={q}": {"q": q} for q in WORD_QUERIES}
    found["browse"] = {}
    found["browse oldest"] = {"sort": "oldest"}
    found["公安 newest"] = {"q": "公安", "sort": "newest"}
    found["警务 oldest"] = {"q": "警务", "sort": "oldest"}
    found["from 2015"] = {"year_from": 2015}
    found["公安 to 2014"] = {"q": "公安", "year_to": 2014}
    if city:
        found["city"] = {"city": city.slug}
        found["公安 + city"] = {"q": "公安", "city": city.slug}
        found["province"] = {"province": city.province}
    if initiative:
        found["initiative"] = {"initiative": initiative.slug}
        found["公安 + initiative + from 2010"] = {"q": "公安", "initiative": initiative.slug, "year_from": 2010}
    return found


def outcome(params: dict) -> dict:
    """What a search finds: its count, every hit's source file in rank order, and its facets."""
    results = search(SearchParams(**params), page_size=ALL_HITS)
    return {
        "count": results.count,
        "hits": [hit.article.source_name for hit in results.hits],
        "facets": {name: [[value.label, value.count] for value in values] for name, values in results.facets.items()},
    }


def check_against_golden(corpus: str) -> None:
    found = {name: outcome(params) for name, params in searches().items()}
    golden = json.loads(GOLDEN.read_text("utf-8")) if GOLDEN.exists() else {}
    if os.environ.get("GOLDEN_UPDATE"):
        golden[corpus] = found
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
        return
    assert corpus in golden, f"no golden results for {corpus}: run with GOLDEN_UPDATE=1"
    expected = golden[corpus]
    assert sorted(found) == sorted(expected)
    changed = [name for name in found if found[name] != expected[name]]
    assert not changed, "\n".join(
        f"{name}: expected {expected[name]}\n{' ' * len(name)}  found    {found[name]}" for name in changed
    )


def run_import(path) -> None:
    call_command("import_dumps", str(path), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def test_fixture_searches_find_what_the_golden_file_says(search_index):
    run_import(FIXTURES)
    check_against_golden("fixtures")


@pytest.mark.integration
@requires_dumps
@requires_corpus_tool
def test_generated_corpus_searches_find_what_the_golden_file_says(search_index, tmp_path):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", "300", "--seed", "golden", "--out", str(corpus), "-q"],
                   check=True)
    run_import(corpus)
    assert Article.objects.count() > 250
    check_against_golden("generated 300, seed golden")
