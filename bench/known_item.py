"""Known-item search: does a headline pasted as the query find its own article first?

    .venv/bin/python bench/known_item.py                       # three corpora of 600, seeds ki-1 ki-2 ki-3
    .venv/bin/python bench/known_item.py --articles 600 --seeds a b c

For each generated corpus (make_corpus.py, deterministic by seed) it imports the corpus into a fresh
archive, then searches for the headline of every article whose headline stands intact in its dump
(as the manifest records it), as a researcher pastes it, and counts the searches whose first hit is
that article, or an article with the same headline (those tie). Prints the share per corpus, the
lowest, and the misses of the lowest with the article that came first. Nothing is asserted.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"


def measure(corpus: Path, data_dir: Path) -> tuple[int, int, list[str]]:
    """(found first, searched, misses) for one corpus, imported into data_dir (run in a child process)."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "import_dumps", str(corpus), "-v0"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    script = (
        "import json, sys; from bench.known_item import search_headlines; "
        "print(json.dumps(search_headlines(sys.argv[1])))"
    )
    run = subprocess.run([sys.executable, "-c", script, str(corpus)], cwd=ROOT, env=env, check=True,
                         stdout=subprocess.PIPE, text=True)
    return tuple(json.loads(run.stdout.splitlines()[-1]))


def search_headlines(corpus: str) -> tuple[int, int, list[str]]:
    """In a process whose Django is set up on the imported corpus."""
    import django

    django.setup()
    from archive.models import Article, ImportRecord
    from archive.search.service import SearchParams, search

    records = dict(ImportRecord.objects.exclude(article=None).values_list("path", "article_id"))
    by_name = {Path(path).name: article_id for path, article_id in records.items()}
    titles = dict(Article.objects.values_list("pk", "title"))
    found = searched = 0
    misses = []
    for line in (Path(corpus) / "manifest.jsonl").read_text("utf-8").splitlines():
        entry = json.loads(line)
        article_id = by_name.get(entry["file"])
        if article_id is None or entry["title"] not in (Path(corpus) / entry["file"]).read_text("utf-8", "replace"):
            continue  # not imported as an article, or its headline does not stand intact in the dump
        article = Article.objects.get(pk=article_id)
        target = article.near_duplicate_of_id or article.pk
        searched += 1
        hits = search(SearchParams(q=entry["title"]), page_size=1).hits
        first = hits[0].article if hits else None
        if first and (first.pk == target or first.title == titles[target]):
            found += 1
        else:
            misses.append(f"{entry['title']}  →  {first.title if first else '(nothing)'}")
    return found, searched, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--seeds", nargs="+", default=["ki-1", "ki-2", "ki-3"])
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for seed in options.seeds:
            corpus = Path(workdir) / f"corpus-{seed}"
            subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(options.articles), "--seed", seed,
                            "--out", str(corpus), "-q"], check=True)
            results[seed] = measure(corpus, Path(workdir) / f"data-{seed}")
            found, searched, _ = results[seed]
            print(f"seed {seed}: {found} of {searched} headlines find their article first "
                  f"({100 * found / searched:.1f} %)", flush=True)
    lowest = min(results, key=lambda seed: results[seed][0] / results[seed][1])
    found, searched, misses = results[lowest]
    print(f"known-item: lowest {100 * found / searched:.1f} % (seed {lowest}); its misses:")
    for miss in misses:
        print(f"  {miss}")


if __name__ == "__main__":
    main()
