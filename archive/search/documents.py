"""What an indexed article is: its words, already cut, and the values it is filtered, counted and sorted by.

An import's worker processes cut the words (CutText) while they parse a file; the cut words then
travel with the article's id to the process that writes the index, as data. Every engine receives
the same IndexedArticle, so every engine searches the same words.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from haystack import indexes
from haystack.constants import DJANGO_CT, DJANGO_ID, ID

from ..ingest.headings import plain_text
from . import words

# Sort keys that put articles without a date last in both directions.
UNDATED_NEWEST, UNDATED_OLDEST = date(1000, 1, 1), date(2999, 12, 31)
MODEL_LABEL = "archive.article"  # haystack's name for the indexed model: ids read archive.article.12


def entry_id(article_id: int) -> str:
    return f"{MODEL_LABEL}.{article_id}"


def article_id_of(entry: str) -> int | None:
    """The article id of an index entry's id, None for an entry that is not an article's."""
    number = entry.removeprefix(MODEL_LABEL + ".")
    return int(number) if entry.startswith(MODEL_LABEL + ".") and number.isdigit() else None


@dataclass(frozen=True)
class CutText:
    """An article's headline and text cut into index words, with the extra words it was cut with."""

    source: bytes  # a digest of the headline and body that were cut
    user_words: frozenset[str]
    text: str  # words.indexed_form() of the headline and the body
    title: str  # words.indexed_form() of the headline

    def is_current_for(self, title: str, body: str) -> bool:
        """Cut from this text with the words the segmenter knows now (an initiative confirmed since,
        or a text changed since, would cut otherwise)."""
        return self.source == _digest(title, body) and self.user_words == words.user_words()


def _digest(title: str, body: str) -> bytes:
    return hashlib.blake2b(f"{title}\n{body}".encode(), digest_size=16).digest()


def cut(title: str, body: str) -> CutText:
    """The index words of an article's headline and body (the costly part of indexing)."""
    text = title + "\n" + plain_text(body)  # heading marks are layout, not words
    return CutText(_digest(title, body), words.user_words(), words.indexed_form(words.words(text)),
                   words.indexed_form(words.words(title)))


def outlet_term(outlet: str) -> str:
    """An outlet as one term of a comma-separated keyword field."""
    return "".join(outlet.replace(",", " ").split())


@dataclass(frozen=True)
class IndexedArticle:
    article_id: int
    text: str  # index words, as words.indexed_form() gives them
    title: str
    published_on: date | None
    city: tuple[str, ...]  # the city's id, or nothing
    province: tuple[str, ...]
    initiatives: tuple[str, ...]  # initiative ids
    outlet: tuple[str, ...]

    @classmethod
    def of(cls, article, cut_text: CutText | None = None) -> "IndexedArticle":
        """An Article (with its city and initiatives loaded) as the index holds it; its words are cut
        here unless `cut_text` was cut with the current words."""
        if cut_text is None or not cut_text.is_current_for(article.title, article.body):
            cut_text = cut(article.title, article.body)
        # The names of its confirmed initiatives follow the text: “五小”民生警务 is found by 五小民生警务.
        # A candidate's name is words of the text already, and may yet be rejected.
        names = [words.normalise(name) for initiative in article.initiatives.all() if initiative.confirmed
                 for name in initiative.all_names()]
        text = " ".join([cut_text.text, words.indexed_form([], apart=names)]) if names else cut_text.text
        return cls(
            article_id=article.pk,
            text=text,
            title=cut_text.title,
            published_on=article.published_on,
            city=(str(article.city_id),) if article.city_id else (),
            province=(article.city.province,) if article.city_id else (),
            initiatives=tuple(str(initiative.pk) for initiative in article.initiatives.all()),
            outlet=(outlet_term(article.outlet),) if article.outlet else (),
        )

    @property
    def entry(self) -> str:
        return entry_id(self.article_id)

    def indexed_fields(self) -> dict:
        """What an engine stores: haystack's ids of the document, then its fields."""
        return {ID: self.entry, DJANGO_CT: MODEL_LABEL, DJANGO_ID: str(self.article_id), **self.fields()}

    def fields(self) -> dict:
        """The index fields by name (those of search.indexes.ArticleIndex)."""
        dated = self.published_on
        return {
            "text": self.text,
            "title": self.title,
            "published_on": dated,
            "newest_first": dated or UNDATED_NEWEST,
            "oldest_first": dated or UNDATED_OLDEST,
            "city": list(self.city),
            "province": list(self.province),
            "initiatives": list(self.initiatives),
            "outlet": list(self.outlet),
            "year": [str(dated.year)] if dated else [],
            "month": [f"{dated:%Y-%m}"] if dated else [],
        }


class FacetField(indexes.MultiValueField):
    """Values to filter and count by (ids, names as single terms): every engine keeps them as a column."""

    def __init__(self, **kwargs):
        super().__init__(stored=False, **kwargs)
