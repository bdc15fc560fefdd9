"""Load benchmark: the production server under 32 concurrent clients, alone and while an import writes.

    .venv/bin/python bench/load.py                        # 30 s against a copy of bench/out/data-10000
    .venv/bin/python bench/load.py --during-import 1000   # then again while 1,000 new files are imported
    .venv/bin/python bench/load.py --hostile --data bench/out/data-5000   # 16 clients, then with 2 hostile ones

The server is started as `make serve` starts it (gunicorn config.wsgi with config/gunicorn.py: 2
workers of 4 threads) with the production settings (DJANGO_DEBUG=0, a generated secret key, plain
HTTP on 127.0.0.1, static files collected) on a copy of the archive, bench/out/load-data, made
afresh on every run: the import never changes the benchmark's own archive. Each client is a thread
sending requests over its own connection, picked at random from a fixed mix: searches
(bench/search.py's query mix), articles (existing ids) and browsing pages (/, /cities/, a city,
/initiatives/, an initiative).

Prints requests per second, p50/p95/p99 latency per kind of request and every answer that was not a
whole page with status 200; exits non-zero if there was one, or if the import or check_archive failed.
Latency includes the wait for a free worker: 32 clients share 2 workers of 4 threads.

With --hostile, 16 ordinary clients run alone, then again while 2 clients send HOSTILE (queries
made to cost as much as possible, a page far down, the CSV of the whole archive): it prints the
ordinary clients' p95 in both runs and their ratio (the target: at most 2.5), and per hostile
request its answers and the CPU time the server spent on it (each answer's Server-Timing header,
from getrusage), with the largest of them (the target: 300 ms; the CSV streams outside it, in a
bounded number of slots: its 429 answers are expected). The clients run on the same
machine as the server and the import, and so does anything else running: compare figures of one run.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench.…` importable
    sys.path.insert(0, str(ROOT))

from bench.search import MAKE_CORPUS, percentile, query_mix, setup_django  # noqa: E402

OUT = ROOT / "bench" / "out"
CLIENTS = 32
WORKERS = 2  # as config/gunicorn.py
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
KINDS = {"search": 5, "article": 3, "browse": 2}  # how often each kind of request is sent
ARTICLES = 300  # existing articles the clients read
WARM_UP = 5  # seconds of load before measuring: each worker loads its dictionary and opens the index
EXTRA_SEED = "load-extra"  # not bench/search.py's seed: the extra files are new articles
BROKEN = ("Traceback", "Server Error", "database is locked")


@dataclass
class Answer:
    kind: str
    path: str
    status: int  # 0: no answer (connection refused, reset or timed out)
    ms: float
    problem: str  # empty for a whole page with status 200
    done: float  # time.perf_counter() when it came
    cpu_ms: float | None = None  # the server's CPU time for it (Server-Timing), when it said


def machine() -> str:
    return f"{os.cpu_count()} cores, load average {load()}"


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def production_env(data_dir: Path) -> dict[str, str]:
    """The production settings on this data folder, its own SQLite database and index."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DJANGO_", "ARCHIVE_")) and name != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_HTTPS="0", ARCHIVE_DATA_DIR=str(data_dir))
    return env


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, **kwargs)


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn as `make serve` runs it, on a free port of 127.0.0.1; returns once it answers."""
    with log.open("w") as log_file:
        server = subprocess.Popen([GUNICORN, "config.wsgi", "-c", "config/gunicorn.py", "--bind", "127.0.0.1:0"],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    deadline = time.monotonic() + 60
    port = None
    while port is None:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            port = int(found.group(1))
        elif server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"gunicorn did not start:\n{log.read_text()}")
        else:
            time.sleep(0.1)
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/about/")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"gunicorn does not answer:\n{log.read_text()}")
        time.sleep(0.2)


def request_mix(data_dir: Path) -> dict[str, list[str]]:
    """The paths each kind of request picks from, read from the archive before the server starts."""
    setup_django(data_dir)
    from django.db import connections

    from archive.models import Article, City, Initiative

    rng = random.Random(1)
    searches = ["/search/?" + urlencode(params) for queries in query_mix().values() for params in queries]
    ids = list(Article.objects.values_list("pk", flat=True))
    articles = [f"/articles/{pk}/" for pk in rng.sample(ids, min(ARTICLES, len(ids)))]
    cities = sorted(set(City.objects.filter(articles__isnull=False).values_list("slug", flat=True)))
    initiatives = list(Initiative.objects.filter(confirmed=True).values_list("slug", flat=True))
    connections.close_all()
    # The five browsing pages equally often; a city or an initiative picked at random.
    browse = []
    for city, initiative in zip(rng.choices(cities, k=50), rng.choices(initiatives, k=50), strict=True):
        browse += ["/", "/cities/", f"/cities/{city}/", "/initiatives/", f"/initiatives/{initiative}/"]
    return {"search": searches, "article": articles, "browse": browse}


def problem(status: int, path: str, body: bytes) -> str:
    """What is wrong with an answer; empty for a whole page with status 200."""
    if status != 200:
        return f"status {status}"
    text = body.decode("utf-8", "replace")
    if path.startswith("/api/"):
        try:
            json.loads(text)
        except ValueError:
            return "not JSON"
    elif not text.rstrip().endswith("</html>"):
        return "page cut short"
    for marker in BROKEN:
        if marker in text:
            return f"says {marker!r}"
    return ""


def cpu_ms(response) -> float | None:
    timing = re.search(r"cpu;dur=([\d.]+)", response.getheader("Server-Timing") or "")
    return float(timing.group(1)) if timing else None


def client(port: int, mix: dict[str, list[str]], seed: int, stop: threading.Event, answers: list[Answer],
           kinds: dict[str, int] = KINDS) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # reconnects when gunicorn closes
    while not stop.is_set():
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        path = rng.choice(mix[kind])
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            done = time.perf_counter()
            answers.append(Answer(kind, path, 0, (done - started) * 1000, repr(error), done))
            continue
        done = time.perf_counter()
        status = response.status
        answers.append(Answer(kind, path, status, (done - started) * 1000, problem(status, path, body), done,
                              cpu_ms(response)))
    connection.close()


def run_load(port: int, mix: dict[str, list[str]], until, clients: int = CLIENTS,
             hostile: list[Answer] | None = None) -> tuple[list[Answer], float]:
    """`clients` threads sending requests until `until()` returns; the answers, and the answers per second
    until then (those still coming are waited for and counted in the latencies, not in the rate). With
    `hostile`, HOSTILE_CLIENTS more send the hostile mix, their answers put there."""
    stop, answers = threading.Event(), []
    threads = [threading.Thread(target=client, args=(port, mix, seed, stop, answers)) for seed in range(clients)]
    if hostile is not None:
        threads += [threading.Thread(target=client, args=(port, mix, 1000 + seed, stop, hostile, HOSTILE_KINDS))
                    for seed in range(HOSTILE_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    until()
    stop.set()
    stopped = time.perf_counter()
    for thread in threads:
        thread.join()
    return answers, sum(answer.done <= stopped for answer in answers) / (stopped - started)


def report(title: str, answers: list[Answer], rate: float, clients: int = CLIENTS) -> int:
    """Print the figures; returns how many answers were not a whole page with status 200."""
    print(f"\n{title}: {rate:.1f} requests/s, {len(answers):,} requests from {clients} clients, {WORKERS} workers; "
          f"load average now {load()}")
    print(f"{'kind':<10}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind in [*KINDS, "all"]:
        times = [answer.ms for answer in answers if kind in (answer.kind, "all")]
        if times:
            print(f"{kind:<10}{len(times):>10,}{statistics.median(times):>10.0f}{percentile(times, 0.95):>10.0f}"
                  f"{percentile(times, 0.99):>10.0f}{max(times):>10.0f}")
    bad = [answer for answer in answers if answer.problem]
    print(f"answers not 200 or not a whole page: {len(bad)}")
    for (path, what), count in Counter((answer.path, answer.problem) for answer in bad).most_common(10):
        print(f"  {count} x {path}: {what}")
    return len(bad)


HOSTILE_CLIENTS = 2
ORDINARY_CLIENTS = 16  # beside the hostile ones
COMMON = ["是", "的", "在", "和", "了"]


def hostile_mix(mix: dict[str, list[str]]) -> dict[str, list[str]]:
    """The requests made to cost most, by kind, from the archive's own filters (read for `mix`)."""
    city = next((parse_qs(urlsplit(path).query)["city"][0] for path in mix["search"] if "city=" in path), "")
    phrases = " ".join('"' + " ".join(COMMON[number % 5] if place == number // 5 % 5 else "的" for place in range(5))
                       + '"' for number in range(16))
    widest_quoted = " ".join('"' + "".join(COMMON) * 8 + '"' for _ in range(4))  # 4 strings of 40: the limits
    common_ors = " OR ".join("的是在和了有不这人我他们中来上大")

    def search(**params) -> str:
        return "/search/?" + urlencode(params)

    return {
        "16 quoted phrases": [search(q=phrases)],
        "4 quoted strings of 40": [search(q=widest_quoted)],
        "16 ORs of common words": [search(q=common_ors)],
        "4 NEAR of common words": [search(q=" ".join(f"的 NEAR/100 {word}" for word in COMMON[1:]))],
        "5 words x 3 filters": [search(q="公安 民警 群众 服务 社区", city=city, **{"from": "2000", "to": "2030"})],
        "page 10000": [search(q="的", page="10000")],
        "CSV, no query": ["/search.csv"],
    }


HOSTILE_KINDS = {"16 quoted phrases": 1, "4 quoted strings of 40": 1, "16 ORs of common words": 1,
                 "4 NEAR of common words": 1, "5 words x 3 filters": 1, "page 10000": 1, "CSV, no query": 1}


def report_hostile(hostile: list[Answer]) -> float:
    """Print each hostile request's answers and server CPU time; returns the largest CPU time of
    the requests answered within the budget (all but the streamed CSV)."""
    print(f"\n{'hostile request':<26}{'sent':>6}  {'statuses':<18}{'p50 ms':>8}{'p95 ms':>8}{'max cpu ms':>12}")
    largest = 0.0
    for kind in HOSTILE_KINDS:
        answers = [answer for answer in hostile if answer.kind == kind]
        if not answers:
            continue
        counted = sorted(Counter(answer.status for answer in answers).items())
        statuses = ", ".join(f"{status} x{count}" for status, count in counted)
        times = [answer.ms for answer in answers]
        cpu = [answer.cpu_ms for answer in answers if answer.cpu_ms is not None]
        most = max(cpu) if cpu else float("nan")
        if kind != "CSV, no query" and cpu:
            largest = max(largest, most)
        print(f"{kind:<26}{len(answers):>6}  {statuses:<18}{statistics.median(times):>8.0f}"
              f"{percentile(times, 0.95):>8.0f}{most:>12.1f}")
    return largest


def article_count(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("select count(*) from archive_article").fetchone()[0]


def extra_corpus(files: int) -> Path:
    """`files` new dump files (a seed of their own), generated once."""
    corpus = OUT / f"extra-{files}"
    if not (corpus / "manifest.jsonl").exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(files), "--out", str(corpus), "--seed", EXTRA_SEED,
                        "--bad-fraction", "0.01", "--overwrite", "-q"], check=True)
    return corpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=OUT / "data-10000", help="an imported archive (left unchanged)")
    parser.add_argument("--seconds", type=float, default=30, help="how long the load without an import runs")
    parser.add_argument("--during-import", type=int, metavar="N", default=0,
                        help="then load the server while N new files are imported (made with make_corpus)")
    parser.add_argument("--hostile", action="store_true",
                        help=f"{ORDINARY_CLIENTS} clients alone, then beside {HOSTILE_CLIENTS} sending the hostile mix")
    options = parser.parse_args()
    if not (options.data / "archive.sqlite3").is_file():
        sys.exit(f"{options.data} holds no archive: run bench/search.py first (it imports bench/out/data-10000)")

    print(f"bench/load.py: {machine()}")
    copy = OUT / "load-data"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(options.data, copy)
    env = production_env(copy)
    if manage(env, "collectstatic", "--noinput", "-v0").wait():
        sys.exit("collectstatic failed")
    mix = request_mix(copy)
    articles = article_count(copy)
    print(f"archive: a copy of {options.data} in {copy}, {articles:,} articles; "
          f"mix: {len(mix['search'])} searches, {len(mix['article'])} articles, browsing pages, "
          f"weights {KINDS}")

    failures = 0
    server, port = start_server(env, copy / "gunicorn.log")
    try:
        if options.hostile:
            mix.update(hostile_mix(mix))
            run_load(port, mix, lambda: time.sleep(WARM_UP), ORDINARY_CLIENTS)
            alone, rate = run_load(port, mix, lambda: time.sleep(options.seconds), ORDINARY_CLIENTS)
            failures += report(f"{options.seconds:g} s, ordinary clients alone", alone, rate, ORDINARY_CLIENTS)
            hostile: list[Answer] = []
            beside, rate = run_load(port, mix, lambda: time.sleep(options.seconds), ORDINARY_CLIENTS, hostile)
            failures += report(f"{options.seconds:g} s, beside {HOSTILE_CLIENTS} hostile clients", beside, rate,
                               ORDINARY_CLIENTS)
            largest = report_hostile(hostile)
            costliest = max((answer for answer in alone + beside if answer.cpu_ms is not None),
                            key=lambda answer: answer.cpu_ms)
            p95_alone = percentile([answer.ms for answer in alone], 0.95)
            p95_beside = percentile([answer.ms for answer in beside], 0.95)
            print(f"\nordinary p95 alone {p95_alone:.0f} ms, beside the hostile clients {p95_beside:.0f} ms: "
                  f"ratio {p95_beside / p95_alone:.2f} (target at most 2.5)")
            print(f"largest CPU time of one request: hostile {largest:.1f} ms, ordinary {costliest.cpu_ms:.1f} ms "
                  f"({costliest.path}) (target at most 300; the CSV streams in slots, outside it)")
            unexpected = [answer for answer in hostile if answer.status not in (200, 429)
                          or (answer.status == 429 and answer.kind != "CSV, no query")]
            print(f"hostile answers other than 200 (or 429 for the CSV): {len(unexpected)}")
            failures += len(unexpected)
            return 1 if failures else 0
        run_load(port, mix, lambda: time.sleep(WARM_UP))
        answers, rate = run_load(port, mix, lambda: time.sleep(options.seconds))
        failures += report(f"{options.seconds:g} s without an import", answers, rate)

        if options.during_import:
            corpus = extra_corpus(options.during_import)
            output = copy / "import.txt"
            importing = {}

            def import_dumps():
                with output.open("w") as out:
                    started = time.perf_counter()
                    importing["code"] = manage(env, "import_dumps", str(corpus), "-v0", stdout=out,
                                               stderr=subprocess.STDOUT).wait()
                    importing["seconds"] = time.perf_counter() - started

            answers, rate = run_load(port, mix, import_dumps)
            failures += report(f"{importing['seconds']:.0f} s during the import of {options.during_import:,} files",
                               answers, rate)
            added = article_count(copy) - articles
            closing = output.read_text().strip().splitlines()
            print(f"import: exit code {importing['code']}, {importing['seconds']:.1f} s, {added:,} articles added = "
                  f"{added / importing['seconds']:.1f} articles/s; {closing[-1] if closing else 'no output'}")
            check = subprocess.run([sys.executable, "manage.py", "check_archive", "--no-hash"], cwd=ROOT, env=env,
                                   capture_output=True, text=True)
            said = check.stdout.strip().splitlines()  # its progress bar goes to stderr
            print(f"check_archive --no-hash: exit code {check.returncode}, {said[-1] if said else 'no output'}")
            failures += importing["code"] != 0 or check.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (copy / "gunicorn.log").read_text()
    print(f"server log: {log.count('Traceback')} tracebacks, {log.count('WORKER TIMEOUT')} worker timeouts")
    return 1 if failures or "Traceback" in log else 0


if __name__ == "__main__":
    sys.exit(main())
