"""The small hand-written dumps in tests/fixtures, read as the pipeline reads them."""

from pathlib import Path

from archive.ingest.clean import remove_pinyin
from archive.ingest.script import matching_form

FIXTURES = Path(__file__).parent / "fixtures"

PORTAL = "portal_traditional.txt"
FORUM = "forum_thread.txt"
INTERVIEW = "interview.txt"
THEORY = "theory_page.txt"
BLOG = "blog_repost.txt"
BARE = "bare.txt"
ALL = [PORTAL, FORUM, INTERVIEW, THEORY, BLOG, BARE]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    return fixture_bytes(name).decode("utf-8")


def prepared_lines(name: str) -> tuple[list[str], list[str]]:
    """The lines with pinyin removed and their simplified form: what parse_dump hands to layout and forum."""
    text, _ = remove_pinyin(fixture_text(name))
    lines = [line.rstrip() for line in text.split("\n")]
    return lines, [matching_form(line) for line in lines]
