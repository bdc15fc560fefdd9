"""Comparison benchmark: this archive's search against the plain recipe and SQLite FTS5, on one corpus.

    .venv/bin/python bench/run.py --quick                      # 2,000 articles, a few minutes
    .venv/bin/python bench/run.py                              # 10,000 and 100,000 articles (hours)
    .venv/bin/python bench/run.py --articles 10000 --skip plain
    .venv/bin/python bench/run.py --quick --reuse --repeats 5  # keep imports and indexes of an earlier run

For each size, one corpus is generated with ../shared/tools/make_corpus.py (fixed seed; an existing
bench/out/corpus-<size> with a manifest is reused) and measured three ways:

(a) the archive: `manage.py import_dumps` into a fresh data folder (parse, store, index), then the
    query mix of bench/search.py through the whole Django stack (django.test.Client on /search/)
    and through archive.search.service.search() alone; then its indexing alone (archive.search.indexing.
    index_articles, into a scratch index) of the same articles as (b).
(b) the plain recipe: haystack's stock Whoosh backend with jieba's ChineseAnalyzer and a plain
    SearchIndex (bench/plain/), indexing the first --plain-limit articles (a) imported, with
    haystack's one writer in batches; queries as SearchQuerySet().auto_query(q) (SQ for OR and
    title:), the exact count and a page of 20.
(c) SQLite FTS5 over the archive's own segmentation (bench/fts5.py), all articles: a reference.

Every part runs in a child process of its own, so its peak memory (from os.wait4) is its alone.
Data goes to bench/out/run-<size>/ (ours/, ours-index-alone/, plain/, fts5.sqlite3 and the
figures as JSON); the tables are printed and saved to bench/out/results-<timestamp>.txt.
Machines are noisy: compare figures from the same run, and look at the load average printed.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench.…` and the archive importable
    sys.path.insert(0, str(ROOT))

from bench.search import make_corpus, percentile, query_mix, setup_django, text_bytes, time_mix  # noqa: E402

DEFAULT_SIZES = [10_000, 100_000]
QUICK_SIZES = [2_000]
PARTS = ("plain", "fts5", "ours-index")
QUICK_PLAIN_LIMIT = 500  # keeps --quick under 5 minutes on 2 cores


# ---------------------------------------------------------------- the parent: runs and reports


@dataclass
class Child:
    seconds: float  # wall time, process start to exit
    peak_mb: float  # the child's own peak resident memory
    result: dict


def run_child(command: list[str], env: dict, result_file: Path | None = None, output: Path | None = None) -> Child:
    """Run a command to its end; its wall time, its own peak memory and the JSON it wrote to result_file."""
    started = time.perf_counter()
    with open(output or os.devnull, "w") as stdout:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout)
        # wait4 on this pid gives the resource usage of this child alone; getrusage(RUSAGE_CHILDREN)
        # would give the largest of all children waited for so far.
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"failed (exit code {process.returncode}): {' '.join(command)}")
    result = json.loads(result_file.read_text()) if result_file else {}
    return Child(seconds, usage.ru_maxrss / 1024, result)


def child_env(data_dir: Path, settings: str, **extra: str) -> dict:
    return {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": settings, **extra}


def manage(env: dict, *args: str, output: Path | None = None) -> Child:
    return run_child([sys.executable, "manage.py", *args], env, output=output)


def python_child(kind: str, env: dict, folder: Path, options, **arguments) -> Child:
    """Run one of CHILDREN below in a fresh process; it writes its figures to folder/<kind>.json."""
    result = folder / f"{kind}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--result", str(result),
               "--repeats", str(options.repeats)]
    for name, value in arguments.items():
        command += [f"--{name}", str(value)]
    return run_child(command, env, result_file=result)


def disk_mb(path: Path) -> float:
    """Disk space used by a file or folder, as du counts it."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files) / 2**20


def progress(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


def reused(saved: Path, data: Path, options, **expected) -> dict | None:
    """Figures saved by an earlier run, if --reuse, its data is there and was made with the same settings."""
    if not (options.reuse and saved.exists() and data.exists()):
        return None
    figures = json.loads(saved.read_text())
    if any(figures.get(name) != value for name, value in expected.items()):
        return None
    return {**figures, "reused": True}


def measure_ours(corpus: Path, run_dir: Path, options) -> dict:
    folder = run_dir / "ours"
    env = child_env(folder, "config.settings")
    saved = run_dir / "ours.json"
    figures = reused(saved, folder, options)
    if figures is None:
        progress(f"(a) importing {corpus}")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        # Indexes built from a former import are not reused.
        for stale in ("ours-index-alone.json", "plain.json", "fts5.json"):
            (run_dir / stale).unlink(missing_ok=True)
        manage(env, "migrate", "--noinput", "-v0")
        imported = manage(env, "import_dumps", str(corpus), "-v0", output=run_dir / "ours-import.txt")
        figures = {"seconds": imported.seconds, "peak_mb": imported.peak_mb, "index_mb": disk_mb(folder / "whoosh"),
                   "summary": (run_dir / "ours-import.txt").read_text().strip()}
        saved.write_text(json.dumps(figures))
    progress("(a) queries")
    searched = python_child("ours-search", env, run_dir, options)
    figures.update(searched.result, query_peak_mb=searched.peak_mb)
    if "ours-index" not in options.skip:
        figures["index_alone"] = measure_ours_index_alone(run_dir, options)
    return figures


def measure_indexing(label: str, child: str, env: dict, index_dir: Path, run_dir: Path, options) -> dict:
    """Index the first --plain-limit articles into index_dir in a child process (or reuse its figures)."""
    saved = run_dir / f"{index_dir.name}.json"
    figures = reused(saved, index_dir, options, limit=options.plain_limit)
    if figures is None:
        progress(f"{label}: indexing up to {options.plain_limit} articles")
        shutil.rmtree(index_dir, ignore_errors=True)
        indexed = python_child(child, env, run_dir, options, limit=options.plain_limit)
        figures = {**indexed.result, "peak_mb": indexed.peak_mb, "index_mb": disk_mb(index_dir),
                   "limit": options.plain_limit}
        saved.write_text(json.dumps(figures))
    return figures


def measure_ours_index_alone(run_dir: Path, options) -> dict:
    """The archive's own indexing of the articles (b) indexes, into a scratch index."""
    index_dir = run_dir / "ours-index-alone"
    env = child_env(run_dir / "ours", "config.settings", ARCHIVE_SEARCH_PATH=str(index_dir))
    return measure_indexing("(a) indexing alone", "ours-index", env, index_dir, run_dir, options)


def measure_plain(run_dir: Path, options) -> dict:
    index_dir = run_dir / "plain"
    env = child_env(run_dir / "ours", "bench.plain.settings", BENCH_PLAIN_INDEX=str(index_dir))
    figures = measure_indexing("(b) plain recipe", "plain-index", env, index_dir, run_dir, options)
    progress("(b) queries")
    searched = python_child("plain-search", env, run_dir, options)
    return {**figures, **searched.result, "query_peak_mb": searched.peak_mb}


def measure_fts5(run_dir: Path, options) -> dict:
    path = run_dir / "fts5.sqlite3"
    env = child_env(run_dir / "ours", "config.settings")
    saved = run_dir / "fts5.json"
    figures = reused(saved, path, options)
    if figures is None:
        progress("(c) FTS5: building")
        indexed = python_child("fts5-index", env, run_dir, options, path=path)
        figures = {**indexed.result, "peak_mb": indexed.peak_mb, "index_mb": disk_mb(path)}
        saved.write_text(json.dumps(figures))
    progress("(c) queries")
    searched = python_child("fts5-search", env, run_dir, options, path=path)
    return {**figures, **searched.result, "query_peak_mb": searched.peak_mb}


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"machine: {models[0] if models else platform.processor() or '?'}, "
            f"{len(os.sched_getaffinity(0))} cores, {ram_kb / 2**20:.1f} GB RAM; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.platform()}\n"
            f"load average at start: {load} (other work on the machine slows every figure)")


# ---------------------------------------------------------------- the report


def number(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a, b) -> str:
    return "-" if not a or not b else f"{a / b:.2f}"


def p50_p95(timings: list[float] | None) -> str:
    return "-" if not timings else f"{statistics.median(timings):.1f} / {percentile(timings, 0.95):.1f}"


def p95(timings: list[float] | None):
    return percentile(timings, 0.95) if timings else None


def rate(figures: dict) -> float | None:
    return figures["articles"] / figures["seconds"] if figures.get("seconds") else None


def per_text(figures: dict) -> float | None:
    return figures["index_mb"] * 2**20 / figures["text_bytes"] if figures.get("text_bytes") else None


def row(label: str, a, b, c, digits: int = 1, a_for_b="same", ratios: bool = True) -> str:
    """One line of figures and the ratios a/b and a/c; a_for_b: (a)'s figure to divide by (b)'s, if another."""
    a_for_b = a if a_for_b == "same" else a_for_b
    line = f"{label:<48}{number(a, digits):>12}{number(b, digits):>12}{number(c, digits):>12}"
    return line + (f"{ratio(a_for_b, b):>8}{ratio(a, c):>8}" if ratios else "")


def table(size: int, corpus: Path, a: dict, b: dict | None, c: dict | None, options) -> str:
    b, c, alone = b or {}, c or {}, a.get("index_alone") or {}
    files = sum(1 for _ in corpus.glob("*.txt"))
    lines = [f"=== {size:,} articles: corpus {corpus} ({files:,} files) ===",
             f"(a) import_dumps in {a['seconds']:.0f} s: {a['summary']}; {a['imported']:,} articles in the database, "
             f"{a['articles']:,} in the index (near-duplicates are not)"
             + (" [import reused from an earlier run]" if a.get("reused") else "")]
    limited = [figures["articles"] for figures in (alone, b) if figures and figures["articles"] < a["articles"]]
    if limited:
        lines.append(f"(a) indexing alone and (b) plain recipe: ONLY THE FIRST {limited[0]:,} ARTICLES "
                     f"(--plain-limit {options.plain_limit}); (b)'s query times are over {b.get('articles', 0):,} "
                     f"articles, (a)'s and (c)'s over {a['articles']:,}")
    if any(figures.get("reused") for figures in (alone, b, c)):
        lines.append("some indexes were reused from an earlier run (--reuse): their build figures are that run's")

    same_articles = b.get("articles") == a["articles"]
    lines += ["", f"{'':<48}{'(a) archive':>12}{'(b) plain':>12}{'(c) FTS5':>12}{'a/b':>8}{'a/c':>8}",
              row("import_dumps, articles/s (parse, store, index)", a["imported"] / a["seconds"], None, None),
              row("indexing alone, articles/s", rate(alone), rate(b), rate(c)),
              row("peak memory, import_dumps, MB", a["peak_mb"], None, None, 0),
              row("peak memory, indexing alone, MB", alone.get("peak_mb"), b.get("peak_mb"), c.get("peak_mb"), 0),
              row("peak memory, query process, MB", a["query_peak_mb"], b.get("query_peak_mb"),
                  c.get("query_peak_mb"), 0),
              row("articles in the index", a["articles"], b.get("articles"), c.get("articles"), 0, ratios=False),
              row("text indexed (title + body, UTF-8), MB", a["text_bytes"] / 2**20,
                  b["text_bytes"] / 2**20 if b else None, c["text_bytes"] / 2**20 if c else None, ratios=False),
              row("index size, MB", a["index_mb"], b.get("index_mb"), c.get("index_mb"),
                  a_for_b=a["index_mb"] if same_articles else None)]
    if alone and not same_articles and b:
        lines.append(row(f"  (a) index of the first {alone['articles']:,} articles, MB", alone["index_mb"],
                         b["index_mb"], None))
    lines.append(row("index size / text size", per_text(a), per_text(b), per_text(c), 2))

    def kind_ms(figures: dict, kind: str) -> list[float] | None:
        return figures.get("query_ms", {}).get(kind)

    lines += ["", f"query time p50 / p95 ms, each query {options.repeats} times",
              f"{'kind (queries)':<24}{'(a) page':>16}{'(a) search()':>16}{'(b) plain':>16}{'(c) FTS5':>16}"
              f"{'a/b p95':>9}{'a/c p95':>9}"]
    for kind, timings in a["page_ms"].items():
        label = f"{kind} ({len(timings) // options.repeats})"
        lines.append(f"{label:<24}{p50_p95(timings):>16}{p50_p95(a['search_ms'][kind]):>16}"
                     f"{p50_p95(kind_ms(b, kind)):>16}{p50_p95(kind_ms(c, kind)):>16}"
                     f"{ratio(p95(timings), p95(kind_ms(b, kind))):>9}{ratio(p95(timings), p95(kind_ms(c, kind))):>9}")

    lines += ["", "mean hits per query (the count each set-up reports)",
              f"{'kind':<24}{'(a) archive':>16}{'(b) plain':>16}{'(c) FTS5':>16}"]
    for kind, hits in a["hits"].items():
        lines.append(f"{kind:<24}{number(hits):>16}{number(b.get('hits', {}).get(kind)):>16}"
                     f"{number(c.get('hits', {}).get(kind)):>16}")
    return "\n".join(lines)


NOTES = """\
How to read this:
- a/b and a/c divide (a)'s figure by (b)'s or (c)'s: above 1 for articles/s means (a) is faster;
  below 1 for memory, size and query time means (a) uses less or answers sooner.
- import_dumps = the whole process (start-up, decoding, cleaning, extraction, database, originals,
  indexing) over the articles it stored. Indexing alone = articles already in the database indexed
  by each set-up in a process of its own, timed from the first article read to the last commit
  (jieba's loading included): (a) archive.search.indexing.index_articles, the import's own path, into a
  scratch index; (b) haystack's backend.update in batches of 1,000; (c) segmenting and inserting.
- (a) page = GET /search/ through Django (routing, search, facets, fetching the hits, snippets,
  template); (a) search() = archive.search.service.search(): search, facets and the page's articles, no template.
  (b) and (c) = the exact count and a page of 20 (for (b) two searches, as haystack's SearchView
  paginates), no facets, NO PAGE RENDERING.
- Hits differ by design: (b) finds no phrases and segments traditional text differently; (c) has no
  shorter words inside longer ones (公安 does not find 公安局) and no phrase written as one word
  (警务广场 for "警务 广场"); (a) has both. (b) over fewer articles finds fewer."""


# ---------------------------------------------------------------- the children (one process each)


def mean_hits(mix: dict, count) -> dict[str, float]:
    return {kind: statistics.mean(count(params) for params in queries) for kind, queries in mix.items()}


def index_doc_count() -> int:
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.setup()
    return backend.index.doc_count()


def child_ours_search(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]))
    from django.test import Client

    from archive.models import Article
    from archive.search.service import SearchParams, search

    client = Client()

    def page(params: dict) -> None:
        response = client.get("/search/", params)
        assert response.status_code == 200, (params, response.status_code)

    def count(params: dict) -> int:
        return search(SearchParams.from_data(params)).count

    mix = query_mix()
    return {"imported": Article.objects.count(), "articles": index_doc_count(),
            "text_bytes": text_bytes(Article.objects.canonical()),
            "page_ms": time_mix(mix, page, options.repeats), "search_ms": time_mix(mix, count, options.repeats),
            "hits": mean_hits(mix, count)}


def child_ours_index(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]))
    from archive.models import Article
    from archive.search.indexing import index_articles

    ids = list(Article.objects.canonical().order_by("pk").values_list("pk", flat=True)[: options.limit])
    started = time.perf_counter()
    index_articles(ids)  # what the import does with its batches: one writer, 500 articles a commit
    seconds = time.perf_counter() - started
    return {"articles": index_doc_count(), "seconds": seconds,
            "text_bytes": text_bytes(Article.objects.filter(pk__in=ids))}


def child_plain_index(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]), "bench.plain.settings")
    from bench.plain import recipe

    return recipe.build_index(options.limit)


def child_plain_search(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]), "bench.plain.settings")
    from bench.plain import recipe

    mix = query_mix()
    return {"query_ms": time_mix(mix, recipe.search, options.repeats), "hits": mean_hits(mix, recipe.search)}


def child_fts5_index(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]))
    from bench import fts5

    return fts5.build(options.path)


def child_fts5_search(options) -> dict:
    setup_django(Path(os.environ["ARCHIVE_DATA_DIR"]))
    from bench import fts5

    searcher = fts5.Searcher(options.path)
    mix = query_mix()
    return {"query_ms": time_mix(mix, searcher.search, options.repeats), "hits": mean_hits(mix, searcher.search)}


CHILDREN = {
    "ours-search": child_ours_search,
    "ours-index": child_ours_index,
    "plain-index": child_plain_index,
    "plain-search": child_plain_search,
    "fts5-index": child_fts5_index,
    "fts5-search": child_fts5_search,
}


# ---------------------------------------------------------------- main


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=DEFAULT_SIZES, help="corpus sizes (10000 100000)")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZES[0]:,} articles")
    parser.add_argument("--skip", action="extend", nargs="+", choices=PARTS, default=[],
                        help="leave out a part: the plain recipe, FTS5, or the archive's indexing alone")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the imports and indexes an earlier run left in bench/out/run-<size>")
    parser.add_argument("--repeats", type=int, default=3, help="times each query is run (default 3)")
    parser.add_argument("--plain-limit", type=int,
                        help="index only the first N articles with the plain recipe, and with the archive's "
                             f"indexing alone (default 10000; {QUICK_PLAIN_LIMIT} with --quick)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out", help=argparse.SUPPRESS)
    # A child process: which part to run, where to write its figures, its arguments.
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    options = parse_options()
    if options.child:
        options.result.write_text(json.dumps(CHILDREN[options.child](options)))
        return

    sizes = QUICK_SIZES if options.quick else options.articles
    if options.plain_limit is None:
        options.plain_limit = QUICK_PLAIN_LIMIT if options.quick else 10_000
    started = time.perf_counter()
    results_file = options.workdir / f"results-{datetime.now():%Y%m%d-%H%M%S}.txt"
    header = (f"bench/run.py {' '.join(sys.argv[1:])}  ({datetime.now():%Y-%m-%d %H:%M})\n{machine()}\n"
              f"sizes {', '.join(f'{size:,}' for size in sizes)}; repeats {options.repeats}; "
              f"plain recipe limited to {options.plain_limit:,} articles; skipped: {', '.join(options.skip) or 'none'}")
    print(header, flush=True)
    sections = [header]
    options.workdir.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        progress(f"corpus of {size:,} articles")
        corpus = make_corpus(size, options.workdir)
        run_dir = options.workdir / f"run-{size}"
        run_dir.mkdir(parents=True, exist_ok=True)
        ours = measure_ours(corpus, run_dir, options)
        plain = measure_plain(run_dir, options) if "plain" not in options.skip else None
        fts5 = measure_fts5(run_dir, options) if "fts5" not in options.skip else None
        sections.append(table(size, corpus, ours, plain, fts5, options))
        print("\n" + sections[-1], flush=True)
        # Written after each size, so the sizes done survive a long run stopped later.
        results_file.write_text("\n\n".join([*sections, NOTES]) + "\n")
    footer = f"{NOTES}\n\ntotal wall time {time.perf_counter() - started:.0f} s; saved to {results_file}"
    print("\n" + footer)
    results_file.write_text("\n\n".join([*sections, footer]) + "\n")


if __name__ == "__main__":
    main()
