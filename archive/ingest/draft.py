"""What the import pipeline hands to the importer: plain data, no Django."""

from dataclasses import dataclass, field
from datetime import date, datetime

from .dates import DateEstimate
from .discovery import Mention
from .gazetteer import Place


@dataclass(frozen=True)
class Comment:
    """A reply in a forum thread."""

    author: str
    posted_at: datetime | None  # naive, in the forum's local time (China)
    text: str
    quote_author: str = ""
    quote_text: str = ""


@dataclass(frozen=True)
class Official:
    """A police official the article names, with the role it gives them (simplified script)."""

    name: str
    role: str
    place: Place | None = None


@dataclass
class ArticleDraft:
    title: str
    body: str  # paragraphs separated by a blank line, in the article's own script
    script: str  # "simplified" or "traditional"
    encoding: str = ""  # the codec the bytes were read with
    text_sha256: str = ""  # of the decoded text (dedupe.text_sha256): equal for copies in other encodings
    comments: list[Comment] = field(default_factory=list)
    published_on: date | None = None
    date_basis: str = ""  # how the date was found, e.g. "post time", "dateline + 两年多来 since 2011年6月"
    date_estimate: DateEstimate | None = None  # only when no date is stated (ingest.dates)
    outlet: str = ""
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    # A forum thread's own figures, as its page shows them: where the first post came from, views, replies.
    forum_location: str = ""
    forum_views: int | None = None
    forum_replies: int | None = None
    city: Place | None = None
    places: list[Place] = field(default_factory=list)  # other places mentioned, most mentioned first
    officials: list[Official] = field(default_factory=list)
    initiatives: list[str] = field(default_factory=list)  # names from the curated list
    candidates: list[Mention] = field(default_factory=list)  # names the text gives programmes the list lacks
    lost_characters: int = 0  # characters lost as "?" (or U+FFFD) in title, body and comments
    pinyin_removed: int = 0
    chrome_lines_removed: int = 0
    fingerprint: str = ""  # sha256 of the normalised body: equal for the same article in other chrome
    simhash: int = 0  # 64-bit, close for nearly identical bodies
