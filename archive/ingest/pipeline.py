"""From the bytes of one dump to an ArticleDraft: decode, reduce HTML, clean, find, extract.

Pure: the importer supplies the curated initiatives; nothing here touches the database.
"""

from collections import Counter

from . import dedupe
from .clean import count_lost_characters, is_hard_chrome, remove_pinyin, repair_mojibake
from .dates import estimate_date
from .decode import UndecodableDump, decode_dump
from .discovery import find_mentions
from .draft import ArticleDraft
from .extract import dateline_date, find_credits, find_outlet, stated_date
from .forum import Thread, is_thread, parse_thread
from .gazetteer import Gazetteer, Place
from .headings import mark_headings
from .html import html_to_text, looks_like_html
from .initiatives import InitiativeMatcher
from .layout import Layout, find_article
from .officials import find_officials
from .script import detect_script, matching_form


class DumpError(ValueError):
    """The file holds no article we can read; str(error) says why, for the import report."""

    def __init__(self, reason: str, encoding: str = ""):
        super().__init__(reason)
        self.encoding = encoding


def _simplified_lines(lines: list[str]) -> list[str]:
    converted = matching_form("\n".join(lines)).split("\n")
    return converted if len(converted) == len(lines) else [matching_form(line) for line in lines]


def rank_places(title: str, body: str, gazetteer: Gazetteer) -> list[Place]:
    """Cities by how often they are named; a mention in the headline counts three times."""
    scores: Counter = Counter()
    first_seen: dict[Place, int] = {}
    for weight, text, offset in ((3, title, 0), (1, body, len(title) + 1)):
        for mention in gazetteer.find(text):
            if mention.place.level == "province":
                continue
            scores[mention.place] += weight
            first_seen.setdefault(mention.place, offset + mention.start)
    return sorted(scores, key=lambda place: (-scores[place], first_seen[place]))


def parse_dump(raw: bytes, matcher: InitiativeMatcher, gazetteer: Gazetteer | None = None) -> ArticleDraft:
    gazetteer = gazetteer or Gazetteer.default()
    try:
        decoded = decode_dump(raw)
    except UndecodableDump as error:
        raise DumpError(error.reason) from error
    text, html_title = decoded.text, None
    if looks_like_html(text):
        html_title, text = html_to_text(text)
    text, pinyin_removed = remove_pinyin(text)
    lines = [repair_mojibake(line.rstrip(), matching_form) for line in text.split("\n")]
    simplified = _simplified_lines(lines)

    posted_at, board, comments = None, "", []
    if is_thread(simplified):
        found = parse_thread(lines, simplified)
        posted_at, board, comments = found.posted_at, found.board, found.comments
    else:
        found = find_article(lines, simplified)
    title = (html_title or found.title).strip()
    body = "\n\n".join(found.paragraphs)
    simple_title, simple_body = matching_form(title), matching_form(body)
    if len(dedupe.normalise(simple_body)) < 20:
        raise DumpError("no article text found", decoded.encoding)

    body_lines = {matching_form(p) for p in found.paragraphs}
    meta_lines = [line for line in simplified if line.strip() and line.strip() not in body_lines]
    header_lines = [simplified[i] for i in found.header]
    chrome_lines = [line for line in meta_lines if is_hard_chrome(line)]

    published_on, date_basis = None, ""
    if posted_at:
        published_on, date_basis = posted_at.date(), "post time"
    elif stated := stated_date(header_lines):
        published_on, date_basis = stated, "date stated above the article"
    else:
        published_on, date_basis = dateline_date([matching_form(p) for p in found.paragraphs], simple_body)
    date_estimate = None
    if published_on is None:
        date_estimate = estimate_date(found.paragraphs, [matching_form(p) for p in found.paragraphs])

    places = rank_places(simple_title, simple_body, gazetteer)
    city = places[0] if places else None
    matched_text = simple_title + "\n" + simple_body
    place_names = {place.name for place in places}
    comment_text = "\n".join(c.text for c in comments)
    credits = find_credits(meta_lines, matching_form(found.paragraphs[0]))
    thread = found if isinstance(found, Thread) else None
    return ArticleDraft(
        title=title,
        body="\n\n".join(mark_headings(found.paragraphs)),  # the text above, its sub-headings marked
        script=detect_script(title + body),
        encoding=decoded.encoding,
        text_sha256=dedupe.text_sha256(decoded.text),
        comments=comments,
        published_on=published_on,
        date_basis=date_basis,
        date_estimate=date_estimate,
        outlet=find_outlet(meta_lines, simple_body, chrome_lines, board),
        authors=credits.authors,
        photographers=credits.photographers,
        editors=credits.editors,
        forum_location=thread.location if thread else "",
        forum_views=thread.views if thread else None,
        forum_replies=thread.replies if thread else None,
        city=city,
        places=places[1:],
        officials=find_officials(matched_text, gazetteer, default_place=city),
        initiatives=matcher.find(matched_text),
        candidates=find_mentions(matched_text, matcher, place_names),
        lost_characters=count_lost_characters(title + "\n" + body + "\n" + comment_text),
        pinyin_removed=pinyin_removed,
        chrome_lines_removed=found.chrome_lines if isinstance(found, Layout) else 0,  # a thread drops none
        fingerprint=dedupe.fingerprint(simple_body),
        simhash=dedupe.simhash(simple_body),
    )
