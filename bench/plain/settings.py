"""Settings for measuring the plain recipe on the articles the archive imported.

The archive's settings with one change of search set-up: haystack's Whoosh backend with jieba's
ChineseAnalyzer (bench/plain/backend.py) and a plain SearchIndex (bench/plain/search_indexes.py)
in place of the archive's ArticleIndex. The database is the archive's (ARCHIVE_DATA_DIR); the
index folder is BENCH_PLAIN_INDEX. Nothing is indexed on save: this set-up only reads articles.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import ARCHIVE_DATA_DIR, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.plain"]

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "bench.plain.backend.ChineseWhooshEngine",
        "PATH": os.environ.get("BENCH_PLAIN_INDEX", str(ARCHIVE_DATA_DIR / "plain-whoosh")),
        # Two indexes for one model are refused: the archive's own is left out.
        "EXCLUDED_INDEXES": ["archive.search_indexes.ArticleIndex"],
    },
}
# haystack's do-nothing processor: saving an article indexes nothing (the archive's processor would).
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
