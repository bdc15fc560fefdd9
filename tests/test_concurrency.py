"""The production server answers whole pages while an import writes the database and the search index.

gunicorn is started as `make serve` starts it (config.wsgi with config/gunicorn.py) with the production settings
(DJANGO_DEBUG=0, plain HTTP on 127.0.0.1) on a data folder of its own; threads request pages, searches
and the API in a loop while `import_dumps` runs in another process, until it ends.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import MAKE_CORPUS, requires_corpus_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow, requires_corpus_tool]

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CORPUS_SIZE = 300
FIRST_BATCH = 100
THREADS = 8
BROKEN = ("locked", "Traceback", "Server Error")


def production_env(data_dir: Path) -> dict[str, str]:
    """The production settings, with a database and an index of its own in data_dir."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DJANGO_", "ARCHIVE_")) and name != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_HTTPS="0", ARCHIVE_DATA_DIR=str(data_dir))
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def problem(path: str, status: int, body: str) -> str:
    """What is wrong with an answer; empty for a whole page (or JSON document) with status 200."""
    if status != 200:
        return f"status {status}"
    if path.startswith("/api/"):
        try:
            json.loads(body)
        except ValueError:
            return "not JSON"
    elif not body.rstrip().endswith("</html>"):
        return "page cut short"
    found = [marker for marker in BROKEN if marker in body]
    return f"says {found}" if found else ""


def indexed_count(port: int) -> int:
    """How many articles the server's search finds without words (everything in the index)."""
    status, body = get(port, "/api/search")
    assert status == 200, body
    return json.loads(body)["count"]


def canonical_count(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("select count(*) from archive_article where near_duplicate_of_id is null").fetchone()[0]


@pytest.fixture
def batches(tmp_path) -> tuple[Path, Path]:
    """A corpus in two folders: the first batch, imported before the server starts, and the rest."""
    corpus, first, rest = tmp_path / "corpus", tmp_path / "first", tmp_path / "rest"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "-n", str(CORPUS_SIZE), "--out", str(corpus),
                    "--seed", "concurrency", "--no-manifest", "-q"], check=True)
    first.mkdir()
    rest.mkdir()
    for number, path in enumerate(sorted(corpus.iterdir())):
        shutil.move(path, (first if number < FIRST_BATCH else rest) / path.name)
    return first, rest


@pytest.fixture
def server(tmp_path, batches):
    """gunicorn as `make serve` runs it, on a free port, over an archive holding the first batch."""
    data_dir = tmp_path / "server-data"
    env = production_env(data_dir)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "import_dumps", str(batches[0]), "-v0")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen([GUNICORN, "config.wsgi", "-c", "config/gunicorn.py", "--bind", "127.0.0.1:0"],
                                   cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        port = int(found.group(1))
        while True:  # the workers are up once a page comes back
            try:
                if get(port, "/about/")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield env, data_dir, port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_pages_stay_whole_while_an_import_writes(server, batches):
    env, data_dir, port, log = server
    with sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True) as db:
        article = db.execute("select min(id) from archive_article").fetchone()[0]
    paths = ["/", "/search/?" + urlencode({"q": "公安"}), "/search/?" + urlencode({"q": '"群众 满意度"'}),
             "/api/search?" + urlencode({"q": "民警"}), "/cities/", f"/articles/{article}/", "/about/"]
    before = indexed_count(port)

    importing = subprocess.Popen([sys.executable, "manage.py", "import_dumps", str(batches[1]), "-v0"], cwd=ROOT,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers, errors, imported = [], [], threading.Event()

    def client(offset: int) -> None:
        number = offset
        while not imported.is_set():
            path = paths[number % len(paths)]
            number += 1
            try:
                status, body = get(port, path)
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {error!r}")
                continue
            answers.append((path, status, problem(path, status, body)))

    clients = [threading.Thread(target=client, args=(offset,), daemon=True) for offset in range(THREADS)]
    for thread in clients:
        thread.start()
    try:
        out, err = importing.communicate(timeout=300)
    finally:
        importing.kill()  # if it outlived the timeout
        importing.wait()
        imported.set()
    for thread in clients:
        thread.join()

    print(f"{len(answers)} answers during the import; load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    assert importing.returncode == 0, out + err
    closing_line = r"imported \d+, updated 0, unchanged 0, duplicates \d+, failed 0, not indexed 0"
    assert re.fullmatch(closing_line, out.strip()), out
    assert errors == []
    assert [answer for answer in answers if answer[2]] == []
    assert len(answers) >= 2 * THREADS  # the requests did overlap the import
    assert "Traceback" not in log.read_text()

    manage(env, "check_archive")  # exits 0: the database, the originals and the index agree
    after = indexed_count(port)
    assert after > before
    assert after == canonical_count(data_dir)  # the server's searcher sees every article imported
