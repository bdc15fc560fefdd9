"""A concordance (keyword in context): every occurrence of a search's words in the articles it finds.

Each line is a passage of one block of an article's text (a paragraph or a heading): the left
context, the match and the right context, so that left + match + right stands in that text. The
words are matched as the article page marks them (search.highlight), so a line links to its mark.
"""

from dataclasses import dataclass

from .models import Article
from .search.highlight import match_spans
from .search.query import Query, parse
from .search.service import highlight_words

DEFAULT_WIDTH, MAX_WIDTH = 30, 200
MAX_ARTICLES = 2_000  # articles read for one concordance: the first the search ranks
SORTS = {"article": "按文章", "left": "按左侧", "right": "按右侧", "match": "按匹配词"}


@dataclass(frozen=True)
class Line:
    article_id: int
    title: str
    published_on: object
    left: str
    match: str
    right: str
    word: str  # the query's word or phrase it matches
    mark: int  # the number of its mark on the article page (id="m<mark>"), from 0

    def sort_key(self, sort: str):
        if sort == "left":  # the characters nearest the match first, read leftwards
            return (self.left[::-1], self.match, self.article_id)
        if sort == "right":
            return (self.right, self.match, self.article_id)
        if sort == "match":
            return (self.match, self.right, self.article_id)
        return ()


def query_words(query: Query) -> list[str]:
    """Each word, each phrase (its words together) and each word of a NEAR pair the query asks for."""
    found = []
    for term in query.terms():
        found += term.text.split() if term.near else ["".join(term.text.split())]
    return [word for word in dict.fromkeys(found) if word]


def lines_of(article: Article, words: list[str], width: int) -> list[Line]:
    """Every occurrence of `words` in the article's text, in order, with `width` characters either side."""
    found, marks = [], 0
    for word in words:
        page_words = highlight_words(parse(word))  # what the article page marks for ?q=<word>
        marks = 0
        for _kind, text in article.blocks():
            page_spans = match_spans(text, page_words)
            for start, end in match_spans(text, [word]):
                mark = marks + page_spans.index((start, end)) if (start, end) in page_spans else marks
                found.append(Line(article.pk, article.title, article.published_on, text[max(0, start - width):start],
                                  text[start:end], text[end:end + width], word, mark))
            marks += len(page_spans)
    return found


def concordance(ids: list[int], query: Query, width: int, sort: str) -> tuple[list[Line], bool]:
    """The lines of the first MAX_ARTICLES of `ids`, in the search's order or sorted; whether some
    articles were left out."""
    words = query_words(query)
    chosen = ids[:MAX_ARTICLES]
    lines = []
    for start in range(0, len(chosen), 200):
        chunk = chosen[start:start + 200]
        articles = Article.objects.only("pk", "title", "published_on", "body").in_bulk(chunk)
        for pk in chunk:
            if pk in articles:
                lines += lines_of(articles[pk], words, width)
    if sort in SORTS and sort != "article":
        lines.sort(key=lambda line: line.sort_key(sort))
    return lines, len(ids) > MAX_ARTICLES
