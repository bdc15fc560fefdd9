"""Compare an earlier revision with the working tree in one run: import speed and p50/p95 per query kind.

    .venv/bin/python bench/compare.py --base REV                  # 10,000 articles, 3 passes
    .venv/bin/python bench/compare.py --base HEAD --articles 500 --passes 2
    .venv/bin/python bench/compare.py --base REV --new REV2       # two revisions, neither the working tree

The base (and --new, if given) is checked out with `git worktree add --detach` under the workdir
(reused while it is at that commit); without --new the "new" side is this working tree. Both
sides run their own bench/search.py with this Python (run this script with .venv/bin/python).

The corpus is generated once, by this tree's bench/search.py make_corpus (same seed), into the
workdir, and symlinked into each side's own search workdir as corpus-N: each search.py then finds
it and generates nothing, so no side needs ../shared beside it. Layout of the workdir:

    corpus-N/           the corpus, shared
    tree-base/          worktree of --base (tree-new/ for --new)
    run-base/           base's search.py --workdir: corpus-N -> ../corpus-N, data-N (its archive)
    run-new/            the same for the new side

Each side first imports the corpus (base first) with `search.py` (its printed import line is kept,
the query table of that run is not); then --passes passes of `search.py --reuse` alternate base,
new. Per kind the median over passes of p50 and of p95 is compared; a kind is "SLOWER" when new/base
p95 is above 1.10, the import when new/base articles/s is below 0.90. Nothing is asserted: the exit
status is 0 whatever the ratios (not when a side fails to run).
"""

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

from search import make_corpus

ROOT = Path(__file__).resolve().parent.parent
IMPORT_LINE = re.compile(r"^import: .*= ([\d.]+) articles/s, peak memory (\d+) MB$", re.MULTILINE)
TABLE_ROW = re.compile(r"^(\S.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")
P95_LIMIT = 1.10  # new/base p95 at most
IMPORT_LIMIT = 0.90  # new/base articles/s at least


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def worktree(rev: str, path: Path) -> Path:
    """A detached worktree of rev at path, reused if it is already at that commit."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    if path.exists():
        if (path / ".git").exists() and git("rev-parse", "HEAD", cwd=path) == commit:
            return path
        git("worktree", "remove", "--force", str(path))
    git("worktree", "add", "--detach", str(path), commit)
    return path


def search(tree: Path, rundir: Path, articles: int, reuse: bool) -> str:
    """One bench/search.py run of that tree on its run folder; its output."""
    command = [sys.executable, "bench/search.py", "--articles", str(articles), "--workdir", str(rundir)]
    done = subprocess.run(command + ["--reuse"] * reuse, cwd=tree, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"compare: {tree}/bench/search.py failed (exit {done.returncode}); output:\n{done.stdout}")
    return done.stdout


def table(output: str) -> dict[str, tuple[float, float]]:
    """(p50, p95) by kind from search.py's table."""
    rows = {}
    for line in output.split("\nkind", 1)[1].splitlines()[1:]:
        if not (match := TABLE_ROW.match(line)):
            break
        rows[match[1]] = (float(match[3]), float(match[4]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the revision to compare against")
    parser.add_argument("--new", help="a revision instead of the working tree")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "compare")
    parser.add_argument("--reuse", action="store_true", help="keep archives imported by an earlier run (no import)")
    options = parser.parse_args()
    workdir = options.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    corpus = make_corpus(options.articles, workdir)
    trees = {"base": worktree(options.base, workdir / "tree-base"),
             "new": worktree(options.new, workdir / "tree-new") if options.new else ROOT}
    labels = {side: f"{git('rev-parse', '--short', 'HEAD', cwd=tree)}{'' if tree != ROOT else ' + working tree'}"
              for side, tree in trees.items()}
    rundirs = {}
    for side in trees:
        rundirs[side] = workdir / f"run-{side}"
        rundirs[side].mkdir(exist_ok=True)
        if not (rundirs[side] / corpus.name).exists():
            (rundirs[side] / corpus.name).symlink_to(corpus)

    imports = {}
    for side, tree in trees.items():
        if options.reuse and (rundirs[side] / f"data-{options.articles}").exists():
            continue
        print(f"import {side} ({labels[side]}) ...", file=sys.stderr, flush=True)
        line = IMPORT_LINE.search(search(tree, rundirs[side], options.articles, reuse=False))
        imports[side] = (float(line[1]), int(line[2]))

    results = {"base": [], "new": []}
    for n in range(options.passes):
        for side, tree in trees.items():
            print(f"pass {n + 1}/{options.passes} {side} ...", file=sys.stderr, flush=True)
            results[side].append(table(search(tree, rundirs[side], options.articles, reuse=True)))

    def median(side: str, kind: str, column: int) -> float:
        return statistics.median(rows[kind][column] for rows in results[side])

    print(f"\n{options.articles} articles, {options.passes} passes; base {labels['base']}, new {labels['new']}; "
          f"medians over passes of each pass's p50 / p95 (ms):")
    print(f"{'kind':<20}{'base p50':>10}{'new p50':>10}{'base p95':>10}{'new p95':>10}{'ratio':>8}  verdict")
    ratios = {}
    for kind in [kind for kind in results["base"][0] if kind in results["new"][0]]:
        base95, new95 = median("base", kind, 1), median("new", kind, 1)
        ratios[kind] = new95 / base95
        print(f"{kind:<20}{median('base', kind, 0):>10.1f}{median('new', kind, 0):>10.1f}{base95:>10.1f}{new95:>10.1f}"
              f"{ratios[kind]:>8.2f}  {'ok' if ratios[kind] <= P95_LIMIT else 'SLOWER'}")

    print()
    for side, (speed, peak) in imports.items():
        print(f"import {side:<5} {speed:8.1f} articles/s, peak memory {peak} MB")
    import_ratio = "not measured"
    if len(imports) == 2:
        speed_ratio = imports["new"][0] / imports["base"][0]
        import_ratio = f"{speed_ratio:.2f}"
        print(f"import new/base: speed {import_ratio} {'ok' if speed_ratio >= IMPORT_LIMIT else 'SLOWER'}, "
              f"peak memory {imports['new'][1] / imports['base'][1]:.2f}")
    slowest = max(ratios, key=ratios.get)
    print(f"compare: {len(ratios)} kinds, slowest ratio {ratios[slowest]:.2f} ({slowest}), import ratio {import_ratio}")


if __name__ == "__main__":
    main()
