"""SQLite FTS5 over the archive's segmented text: a reference for speed and size (run by bench/run.py).

Each article's title and body are cut into words by archive/search/words.py (the archive's own
segmentation: simplified script, jieba precise mode, its dictionary) and stored space-separated
in an FTS5 table, so unicode61 only splits on the spaces. Queries are cut the same way. City,
date and initiatives sit in plain tables joined by rowid. No shorter words inside longer ones
(公安 does not find 公安局), no facets: a reference for the cost of the index itself.
"""

import math
import sqlite3
import time
from pathlib import Path

from archive.models import Article
from archive.search.indexes import sync_dictionary
from archive.search.query import Term, parse
from archive.search.words import words

BATCH = 1000
PAGE_SIZE = 20
SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61');
-- Headline matches count three times, as the archive boosts its title field.
INSERT INTO docs(docs, rank) VALUES ('rank', 'bm25(3.0, 1.0)');
CREATE TABLE meta (id INTEGER PRIMARY KEY, city TEXT, published_on TEXT, year INTEGER);
CREATE INDEX meta_city ON meta (city, published_on);
CREATE INDEX meta_published ON meta (published_on);
CREATE TABLE article_initiative (article_id INTEGER, slug TEXT);
CREATE INDEX article_initiative_slug ON article_initiative (slug, article_id);
"""


def build(path: Path) -> dict:
    """Build the FTS5 database at path from every article the archive indexes; return the figures."""
    from bench.search import text_bytes

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    articles = Article.objects.canonical().select_related("city").prefetch_related("initiatives").order_by("pk")
    ids = list(articles.values_list("pk", flat=True))
    started = time.perf_counter()
    sync_dictionary()  # the initiative names are words, as in the archive's index
    for start in range(0, len(ids), BATCH):
        batch = list(articles.filter(pk__in=ids[start : start + BATCH]))
        db.executemany("INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
                       [(a.pk, " ".join(words(a.title)), " ".join(words(a.body))) for a in batch])
        db.executemany("INSERT INTO meta VALUES (?, ?, ?, ?)",
                       [(a.pk, a.city.slug if a.city_id else None, a.published_on and a.published_on.isoformat(),
                         a.published_on and a.published_on.year) for a in batch])
        db.executemany("INSERT INTO article_initiative VALUES (?, ?)",
                       [(a.pk, initiative.slug) for a in batch for initiative in a.initiatives.all()])
        db.commit()
    db.execute("INSERT INTO docs (docs) VALUES ('optimize')")  # one b-tree, as after any bulk load
    db.commit()
    seconds = time.perf_counter() - started
    count = db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    db.close()
    return {"articles": count, "seconds": seconds, "text_bytes": text_bytes(articles)}


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _term(term: Term) -> str | None:
    found = words(term.text)
    if not found:
        return None
    if term.near and len(found) > 1:
        expression = f"NEAR({' '.join(map(_quoted, found))}, {term.near})"
    elif term.phrase:
        expression = '"' + " ".join(found).replace('"', '""') + '"'
    else:
        expression = " AND ".join(_quoted(word) for word in found)
    return f"(title : ({expression}))" if term.in_title else f"({expression})"


def match_expression(q: str) -> str | None:
    """The query language (archive/search/query.py) as an FTS5 MATCH expression; None without words."""
    query = parse(q)
    groups = []
    for group in query.groups:
        alternatives = [expression for expression in map(_term, group) if expression]
        if alternatives:
            groups.append("(" + " OR ".join(alternatives) + ")")
    if not groups:
        return None
    expression = " AND ".join(groups)
    for excluded in filter(None, map(_term, query.excluded)):
        expression = f"({expression}) NOT {excluded}"
    return expression


class Searcher:
    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        sync_dictionary()

    def search(self, params: dict) -> int:
        """The exact count and one page of ids (ORDER BY rank LIMIT 20); returns the count."""
        expression = match_expression(params.get("q", ""))
        where, values = ["1"], []
        if expression:
            where.append("docs MATCH ?")
            values.append(expression)
        if params.get("city"):
            where.append("meta.city = ?")
            values.append(params["city"])
        if params.get("initiative"):
            where.append("meta.id IN (SELECT article_id FROM article_initiative WHERE slug = ?)")
            values.append(params["initiative"])
        if params.get("from") or params.get("to"):
            where.append("meta.year BETWEEN ? AND ?")
            values += [int(params.get("from") or 0), int(params.get("to") or 9999)]
        source = "docs JOIN meta ON meta.id = docs.rowid" if expression else "meta"
        newest = params.get("sort") == "newest" or not expression
        order = "meta.published_on IS NULL, meta.published_on DESC" if newest else "rank"
        condition = " AND ".join(where)
        count = self.db.execute(f"SELECT COUNT(*) FROM {source} WHERE {condition}", values).fetchone()[0]
        page = min(int(params.get("page", 1)), max(1, math.ceil(count / PAGE_SIZE)))  # past the end: the last
        self.db.execute(f"SELECT meta.id FROM {source} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*values, PAGE_SIZE, (page - 1) * PAGE_SIZE]).fetchall()
        return count
