"""Date estimates on a generated corpus: how often one is given, and how often it is right.

    .venv/bin/python bench/dates.py --corpus DIR        # a corpus made by make_corpus.py
    .venv/bin/python bench/dates.py                     # makes a corpus of 2000 (seed 42) first

Among the articles whose dump states no date the pipeline can read, coverage is the share that get
an estimate; accuracy is the share of estimates whose year (and month, when one is given) is the
article's true date in the manifest. Prints both, by kind of evidence, and the wrong estimates with
their reasoning (--wrong). Nothing is asserted.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "make_corpus.py"
sys.path.insert(0, str(ROOT))

from archive.ingest.initiatives import InitiativeMatcher  # noqa: E402
from archive.ingest.pipeline import DumpError, parse_dump  # noqa: E402


def kind_of(reasoning: str) -> str:
    """The evidence an estimate rests on, read from its reasoning."""
    if "+" in reasoning:
        return "counted period"
    if "→" in reasoning.split(";")[-1] and "latest stated" not in reasoning and "are past" not in reasoning:
        return "present of the text"
    return "dateline + latest year"


def measure(corpus: Path, show_wrong: bool) -> None:
    matcher = InitiativeMatcher({})
    undated = given = right = 0
    by_kind: Counter = Counter()
    right_by_kind: Counter = Counter()
    for line in (corpus / "manifest.jsonl").read_text("utf-8").splitlines():
        entry = json.loads(line)
        if not entry.get("date"):
            continue
        try:
            draft = parse_dump((corpus / entry["file"]).read_bytes(), matcher)
        except DumpError:
            continue
        if draft.published_on is not None:
            continue
        undated += 1
        estimate = draft.date_estimate
        if estimate is None:
            continue
        given += 1
        year, month = int(entry["date"][:4]), int(entry["date"][5:7])
        kind = kind_of(estimate.reasoning)
        by_kind[kind] += 1
        if estimate.year == year and estimate.month in (None, month):
            right += 1
            right_by_kind[kind] += 1
        elif show_wrong:
            print(f"  wrong: {entry['file']} true {entry['date']}, estimated {estimate.year}-{estimate.month}: "
                  f"{estimate.reasoning}")
    print(f"corpus {corpus}: {undated} articles without a stated date")
    print(f"  coverage {given}/{undated} = {given / undated:.1%}" if undated else "  coverage: nothing undated")
    print(f"  accuracy {right}/{given} = {right / given:.1%}" if given else "  accuracy: no estimate given")
    for kind, count in by_kind.most_common():
        print(f"    {kind}: {right_by_kind[kind]}/{count} right")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus with manifest.jsonl (default: make one)")
    parser.add_argument("--articles", type=int, default=2000, help="size of the corpus to make")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--wrong", action="store_true", help="list the wrong estimates")
    args = parser.parse_args()
    if args.corpus:
        measure(args.corpus, args.wrong)
        return
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(args.articles), "--seed", args.seed,
                        "--out", str(corpus), "-q"], check=True)
        measure(corpus, args.wrong)


if __name__ == "__main__":
    main()
