import io
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


@pytest.fixture(scope="session", autouse=True)
def search_index_folder(tmp_path_factory):
    """The tests' own search index, never the one in the data folder.

    haystack reads its connection settings once, so the path is changed in place and the
    connection reloaded before any test touches the index.
    """
    from haystack import connections

    connections.connections_info["default"]["PATH"] = str(tmp_path_factory.mktemp("whoosh"))
    connections.reload("default")
    yield


@pytest.fixture
def search_index(db):
    """An empty index for the test; what the test imports or saves is indexed into it."""
    from haystack import connections

    connections["default"].get_backend().clear()
    yield connections["default"]
    connections["default"].get_backend().clear()


@pytest.fixture
def fixture_articles(search_index):
    """The small dumps in tests/fixtures, imported and indexed: their canonical articles."""
    from django.core.management import call_command

    from archive.models import Article

    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return Article.objects.canonical()
