from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from haystack import indexes
from whoosh.analysis import Token, Tokenizer

from . import text
from .models import Article, Initiative, InitiativeAlias

# Sort keys that put articles without a date last in both directions.
UNDATED_NEWEST, UNDATED_OLDEST = date(1000, 1, 1), date(2999, 12, 31)


class WordsTokenizer(Tokenizer):
    """Reads text.indexed_form(): words split on spaces, a word's inner words at its position.

    The index receives words already cut by archive/text.py; one field then answers both a word
    and the longer words holding it, which halves the work of scoring a query.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for offset, pieces in enumerate(_pieces(value) if tokenize else [[value]]):
            for piece in pieces:
                token.text, token.boost, token.stopped = piece, 1.0, False
                if keeporiginal:
                    token.original = piece
                if positions:
                    token.pos = start_pos + offset
                if chars:  # no highlighting from the index: pages mark words in the database text
                    token.startchar = token.endchar = start_char
                yield token

    def word_positions(self, value: str) -> dict[str, list[int]]:
        """Each word's positions, as the tokens would give them: what the index stores, without
        making a token per word (the index's format asks for this when it can; a third of the
        time of indexing went to tokens)."""
        found = defaultdict(list)
        for offset, chunk in enumerate(value.split()):
            if text.INNER_WORD_MARK in chunk:
                for piece in chunk.split(text.INNER_WORD_MARK):
                    if piece:
                        found[piece].append(offset)
            else:  # most words hold no other
                found[chunk].append(offset)
        return found


def _pieces(value: str) -> Iterator[list[str]]:
    """The words at each position; a lone mark gives none and only takes up its position."""
    for chunk in value.split():
        yield [piece for piece in chunk.split(text.INNER_WORD_MARK) if piece]


WORDS = WordsTokenizer()


class SingleValueField(indexes.MultiValueField):
    """A keyword field that holds at most one value, so a backend may keep it as a column."""

    several_values = False


def sync_dictionary() -> None:
    """jieba knows every confirmed initiative name and alias: they change in the admin."""
    names = set(Initiative.objects.filter(confirmed=True).values_list("name", flat=True))
    names |= set(InitiativeAlias.objects.filter(initiative__confirmed=True).values_list("name", flat=True))
    text.sync_user_words(names)


def outlet_term(outlet: str) -> str:
    """An outlet as one term of a comma-separated keyword field."""
    return "".join(outlet.replace(",", " ").split())


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, analyzer=WORDS)
    title = indexes.CharField(boost=3.0, analyzer=WORDS)
    published_on = indexes.DateField(model_attr="published_on", null=True)
    newest_first = indexes.DateField()
    oldest_first = indexes.DateField()
    # Filters and facets hold ids and plain names as single terms; all but initiatives hold one.
    city = SingleValueField()
    province = SingleValueField()
    initiatives = indexes.MultiValueField()
    outlet = SingleValueField()
    year = SingleValueField()

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        sync_dictionary()  # documents must be cut with the same words as the queries
        # Near-duplicates are reached from their first article, not listed again among the hits.
        return (
            self.get_model()
            .objects.canonical()
            .select_related("city")
            .prefetch_related("initiatives__aliases")
        )

    def prepare(self, article):
        data = super().prepare(article)
        # The names of its initiatives follow the text: “五小”民生警务 is found by 五小民生警务.
        names = [text.normalise(name) for i in article.initiatives.all() for name in i.all_names()]
        data["text"] = text.indexed_text(article.title + "\n" + article.body, apart=names)
        return data

    def prepare_newest_first(self, article):
        return article.published_on or UNDATED_NEWEST

    def prepare_oldest_first(self, article):
        return article.published_on or UNDATED_OLDEST

    def prepare_title(self, article):
        return text.indexed_text(article.title)

    def prepare_city(self, article):
        return [str(article.city_id)] if article.city_id else []

    def prepare_province(self, article):
        return [article.city.province] if article.city_id else []

    def prepare_initiatives(self, article):
        return [str(initiative.pk) for initiative in article.initiatives.all()]

    def prepare_outlet(self, article):
        return [outlet_term(article.outlet)] if article.outlet else []

    def prepare_year(self, article):
        return [str(article.published_on.year)] if article.published_on else []
