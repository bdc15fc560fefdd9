"""django-haystack's own Whoosh backend tests, run against our engine.

They ship only in haystack's source distribution, which `make test` (or `make haystack-tests-source`) fetches
and unpacks into .venv/haystack-tests/. They run in a subprocess on haystack's own test settings
(tests/haystack_contract/settings.py swaps only the Whoosh connections' engine), with the five tests in
tests/haystack_contract/runner.py skipped; everything else, haystack's own skip and expected failures
included, must come out as in stock haystack.

The engine is ENGINE below; HAYSTACK_CONTRACT_ENGINE=dotted.path.Engine runs the same tests on another one,
e.g. haystack.backends.whoosh_backend.WhooshEngine (stock haystack) to check the harness itself.
haystack's run_tests.py is not used: it forces test_haystack.settings.
"""

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from pprint import pformat

import pytest

ENGINE = os.environ.get("HAYSTACK_CONTRACT_ENGINE", "archive.search.engine.backend.ArchiveWhooshEngine")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / ".venv" / "haystack-tests" / f"django_haystack-{version('django-haystack')}"
TIMEOUT = 600  # seconds; stock haystack takes about 3

TESTS = 86
SKIPPED = {"test_search", "test_various_searchquerysets", "test_slice", "test_values_slicing", "test_slicing"}
HAYSTACK_SKIPPED = {"test_writable"}  # needs STORAGE=file, which haystack's settings do not set
HAYSTACK_EXPECTED_FAILURES = {"test_scoring", "test_boost", "test_more_like_this"}

# `-v 2` prints "test_x (module.Class.test_x) ... ok"; what a test prints comes between "... " and its result.
RESULT = re.compile(
    r"^\w+ \([\w.]+?\.(\w+)\.(\w+)\) \.\.\. (?:.*\n)*?"
    r"(ok|skipped|expected failure|unexpected success|FAIL|ERROR)(?: ['\"].*['\"])?$",
    re.M,
)


@pytest.mark.slow
def test_haystack_whoosh_tests_pass_on_our_engine(tmp_path):
    assert (SOURCE / ".unpacked").is_file(), f"haystack's tests are not unpacked in {SOURCE}: run `make test`"
    env = {
        **os.environ,
        # Ours, not the project's config.settings that pytest-django put here.
        "DJANGO_SETTINGS_MODULE": "tests.haystack_contract.settings",
        "HAYSTACK_CONTRACT_ENGINE": ENGINE,
        "PYTHONPATH": os.pathsep.join([str(SOURCE), str(ROOT)]),
        # Whoosh indexes (haystack's settings make them with mkdtemp) and anything else left behind go here.
        "TMPDIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "django", "test", "test_haystack.whoosh_tests", "-v", "2", "--noinput"]
    try:
        run = subprocess.run(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"haystack's Whoosh tests on {ENGINE} ran over {TIMEOUT} s:\n{_tail(timeout.stdout or '')}")

    found = RESULT.findall(run.stdout)

    def names(*results):
        return {name for _, name, result in found if result in results}

    outcome = {
        "exit code": run.returncode,
        "tests": len(found),
        "failed": sorted(
            f"{case}.{name}" for case, name, result in found if result in ("FAIL", "ERROR", "unexpected success")
        ),
        "skipped": names("skipped"),
        "expected failures": names("expected failure"),
    }
    expected = {
        "exit code": 0,
        "tests": TESTS,
        "failed": [],
        "skipped": SKIPPED | HAYSTACK_SKIPPED,
        "expected failures": HAYSTACK_EXPECTED_FAILURES,
    }
    summary = pformat(outcome, width=120)
    assert outcome == expected, f"haystack's Whoosh tests on {ENGINE}:\n{summary}\n{_tail(run.stdout)}"


def _tail(output, lines=60):
    return "\n".join(output.splitlines()[-lines:])
