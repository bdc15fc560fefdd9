from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DUMPS = SHARED / "dumps"
MAKE_CORPUS = SHARED / "tools" / "make_corpus.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

requires_dumps = pytest.mark.skipif(
    not DUMPS.is_dir(), reason="the real dumps (../shared/dumps beside the checkout) are not here"
)
requires_corpus_tool = pytest.mark.skipif(
    not MAKE_CORPUS.is_file(), reason="the corpus generator (../shared/tools/make_corpus.py) is not here"
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Every test writes its originals into its own folder, never into var/."""
    settings.ARCHIVE_DATA_DIR = tmp_path / "data"
    settings.ARCHIVE_ORIGINALS_DIR = tmp_path / "data" / "originals"
    return settings.ARCHIVE_DATA_DIR
