"""Search benchmark: build a synthetic corpus, import it, replay a fixed query mix through Django.

    .venv/bin/python bench/search.py               # 10,000 articles (the target size)
    .venv/bin/python bench/search.py --articles 2000

Prints import throughput, p50/p95 request time per query kind (full stack: URL routing, search,
facets, snippets, template) and peak memory. Nothing is asserted: machines are noisy, compare
figures taken in the same run.

The query mix (QUERIES, query_mix) and the timing helpers are shared with bench/run.py, which
replays the same mix against other search set-ups.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"
CORPUS_SEED = "42"  # make_corpus.py is deterministic for a seed: every run measures the same corpus
REPEATS = 3

QUERIES = {
    "common word": ["公安", "民警", "群众", "警务", "派出所", "治安", "服务", "社区"],
    "rare word": [
        "飞鹭支队", "雪亮工程", "警银联防", "护校安园", "情指勤舆一体化", "交通安全劝导站", "两队一室", "一标三实",
    ],
    "two words": ["三亚 路长制", "湖州 警务广场", "台州 网上公安局", "简阳 赶场警务", "群众 满意度", "民警 巡逻",
                  "派出所 调解", "公安 改革"],
    "phrase": ['"警务 广场"', '"网上 公安局"', '"群众 满意度"', '"社会 治安"', '"公安 机关"', '"民警 走访"'],
    "traditional": ["路長制", "網上公安局", "楓橋經驗", "警務廣場", "三亞", "臺州", "趕場警務", "民警巡邏"],
    "or / not / title": ["路长制 OR 警保联控", "公安 -交警", "title:公安", "枫桥经验 OR 警务广场", "title:警务"],
    "three to five words": ["公安 民警 群众", "派出所 民警 巡逻", "公安 改革 服务 群众", "社区 民警 走访 群众 满意度",
                            "三亚 公安 路长制 交通 治安", "警务 广场 群众 服务"],
    "two phrases": ['"公安 机关" "群众 满意度"', '"社会 治安" "民警 走访"', '"警务 广场" "公安 局长"'],
    "near": ["路长制 NEAR/10 交通", "民警 NEAR/5 群众", "派出所 NEAR/3 调解", "公安 NEAR 改革"],
    "one character": ["警", "鹰", "安", "治", "亞"],
    # Quoted strings that start or end inside a word, or run across words, as jieba cut the text.
    "quoted strings": ['"安局局长"', '"警协警当"', '"上公安局"', '"众满意"', '"路长制改革"', '"务广场"', '"市公安局"'],
}


def make_corpus(articles: int, workdir: Path) -> Path:
    """The corpus of this size under workdir, generated once (a folder with a manifest is reused)."""
    corpus = workdir / f"corpus-{articles}"
    if not (corpus / "manifest.jsonl").exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(articles), "--out", str(corpus),
                        "--seed", CORPUS_SEED, "--bad-fraction", "0.01", "--overwrite", "-q"], check=True)
    return corpus


def setup_django(data_dir: Path, settings: str | None = None) -> None:
    """Set Django up in this process on the archive in data_dir (config.settings unless told)."""
    os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    if settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def query_mix() -> dict[str, list[dict[str, str]]]:
    """The query mix as /search/ parameters, by kind. Needs Django set up on an imported archive.

    Filters use the four cities and the four confirmed initiatives with most articles, so the mix
    is the same for every set-up measured on the same database.
    """
    from django.db.models import Count

    from archive.models import City, Initiative

    cities = list(City.objects.annotate(n=Count("articles")).order_by("-n", "slug").values_list("slug", flat=True)[:4])
    initiatives = list(Initiative.objects.filter(confirmed=True).annotate(n=Count("articles"))
                       .order_by("-n", "slug").values_list("slug", flat=True)[:4])
    mix = {kind: [{"q": q} for q in queries] for kind, queries in QUERIES.items()}
    mix["filters"] = ([{"q": "公安", "city": slug} for slug in cities]
                      + [{"q": "民警", "initiative": slug} for slug in initiatives]
                      + [{"q": "群众", "from": "2012", "to": "2016"}, {"q": "警务", "sort": "newest"}])
    mix["words and 2-3 filters"] = (
        [{"q": "公安 民警", "city": slug, "from": "2010"} for slug in cities[:2]]
        + [{"q": "群众", "initiative": slug, "from": "2010", "to": "2020"} for slug in initiatives[:2]]
        + [{"q": "派出所", "city": cities[0], "initiative": slug, "from": "2008"} for slug in initiatives[:2]]
    )
    mix["sorts"] = [{"q": q, "sort": sort} for q in ("公安", "路长制") for sort in ("newest", "oldest")]
    mix["browse (no words)"] = [{"city": slug} for slug in cities] + [{"initiative": slug} for slug in initiatives]
    mix["deep page"] = [{"q": q, "page": "20"} for q in ["公安", "民警", "群众", "警务"]]
    return mix


def time_mix(mix: dict[str, list[dict]], run_one: Callable[[dict], object], repeats: int) -> dict[str, list[float]]:
    """Milliseconds per call of run_one(params), every query of a kind run `repeats` times."""
    run_one(mix["common word"][0])  # warm-up: dictionaries, index readers, caches
    timings = {}
    for kind, queries in mix.items():
        timings[kind] = []
        for _ in range(repeats):
            for params in queries:
                started = time.perf_counter()
                run_one(params)
                timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def text_bytes(articles) -> int:
    """The size of the text an index takes in: title and body, in UTF-8 bytes."""
    return sum(len(title.encode()) + len(body.encode())
               for title, body in articles.values_list("title", "body").iterator(chunk_size=1000))


def run(data_dir: Path, *args: str) -> None:
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--reuse", action="store_true", help="keep an archive already imported by an earlier run")
    options = parser.parse_args()

    corpus = make_corpus(options.articles, options.workdir)
    data_dir = options.workdir / f"data-{options.articles}"
    if not (options.reuse and data_dir.exists()):
        subprocess.run(["rm", "-rf", str(data_dir)], check=True)
        run(data_dir, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        run(data_dir, "import_dumps", str(corpus), "-v0")
        elapsed = time.perf_counter() - started
        import_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"import: {options.articles} articles in {elapsed:.0f} s = {options.articles / elapsed:.1f} articles/s, "
              f"peak memory {import_peak:.0f} MB")

    setup_django(data_dir)
    from django.test import Client

    from archive.models import Article

    client = Client()

    def request(params: dict) -> None:
        response = client.get("/search/", params)
        assert response.status_code == 200, (params, response.status_code)

    mix = query_mix()
    total = sum(len(queries) for queries in mix.values())
    print(f"\nsearch over {Article.objects.count()} articles, {total} queries x {REPEATS}, full Django stack:")
    print(f"{'kind':<20}{'queries':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, timings in time_mix(mix, request, REPEATS).items():
        print(f"{kind:<20}{len(mix[kind]):>8}{statistics.median(timings):>10.1f}{percentile(timings, 0.95):>10.1f}"
              f"{max(timings):>10.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of the search process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
