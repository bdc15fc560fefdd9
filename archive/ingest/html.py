"""Reduce a saved HTML page to its title and plain text, dropping the page chrome.

Pure functions (no Django). The text keeps one line per block element so that the cleaner
downstream sees the same paragraph structure as in the plain-text dumps.
"""

from __future__ import annotations

import re
import warnings
from itertools import islice

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData, PageElement, PreformattedString

# Tags that never hold article text. "title" is read separately and must not repeat in the text.
_DROP_TAGS = {
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template",
    "button", "select", "svg", "title",
}  # fmt: skip
_TEXT_TYPES = (NavigableString, CData)
# Class or id words of page chrome; matched as substrings so "topnav" and "mainmenu" are caught too.
_CHROME = re.compile(r"nav|menu|footer|breadcrumb|share|related|comment-form|sidebar|copyright|login", re.I)
# Block elements end a line; paragraph-like ones also leave a blank line, as in the text dumps.
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
_LINE_TAGS = {
    "div", "li", "tr", "td", "th", "dt", "dd", "section", "article", "main", "figure", "figcaption",
    "address", "center", "hr", "caption",
}  # fmt: skip
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK punctuation, full-width forms
# Markup starts like a page, or uses several typical tags.
# (A comment's body may not contain "-->": with a lazy ".*?" the regex backtracks exponentially.)
_HTML_START = re.compile(r"\s*(<\?xml[^>]*>\s*)?(<!--((?!-->).)*-->\s*){0,10}<(!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG = re.compile(r"</?(p|div|br|title|span|a|li|ul|table|tr|td|h[1-6]|img|meta|body)\b[^<>]*>", re.I)
# A site name after " - ", " | ", "_" (or a full-width bar) at the end of a <title>.
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—]\s+|\s*[_|｜]\s*")
_SITE_NAME_MAX = 20  # characters; longer tails are taken to be part of the headline

_SURROGATE = re.compile("[\ud800-\udfff]")

# Source line breaks inside text are marked with "\r" until we know their neighbours: next to a
# Chinese character they are only HTML wrapping and vanish (Chinese has no spaces); elsewhere they
# count as a space, as in a browser.
_SOFT_BREAK = "\r"
_SPACE_RUN = re.compile(r"[ \t\n\r\f\xa0]+")  # HTML whitespace and &nbsp;; U+3000 is a real character
_WRAP_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])[ \r]*\r[ \r]*|[ \r]*\r[ \r]*(?=[{_CJK}])")


def looks_like_html(text: str) -> bool:
    """True for saved web pages, False for plain-text dumps."""
    head = text[:50_000].lstrip("\ufeff")
    if _HTML_START.match(head):
        return True
    return len(list(islice(_HTML_TAG.finditer(head), 3))) == 3


def html_to_text(markup: str) -> tuple[str | None, str]:
    """Return (title, text) of a page; title is None when the page has none."""
    # lxml refuses lone surrogates and turns NULs into U+FFFD: clean both first.
    markup = _SURROGATE.sub("\ufffd", markup.replace("\x00", ""))
    with warnings.catch_warnings():
        # XHTML pages start with <?xml ...?>, and a short dump may look like a URL: parse them anyway.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    page_title = _strip_site_name(_one_line(title_tag)) if title_tag else ""
    root = soup.body or soup
    removed = _chrome(root)

    h1 = _first(root, "h1", removed)
    headline = _one_line(h1, removed) if h1 else ""
    if headline:
        # The headline leads the text even when the page shows a dateline or kicker before it.
        removed.add(id(h1))
        return headline, _join_lines(headline + "\n\n" + _render(root, removed))
    return page_title or None, _render(root, removed)


# The tree is left as it is and the chrome skipped when rendering: each decompose() or `decomposed`
# test costs a search of the tag's subtree (or of its siblings), so removing tags one by one took
# time quadratic in the depth of the markup (over a quarter of an hour for 200,000 nested <div>).
def _chrome(root: Tag) -> set[int]:
    """The ids of the elements under `root` that are page chrome, found in two walks of the tree."""
    removed: set[int] = set()
    kept: list[tuple[Tag, int]] = []  # every element left after the dropped tags, and its parent's place here
    stack: list[tuple[Tag, int, bool]] = [(root, -1, root.find_parent("article") is not None)]
    while stack:
        tag, parent, in_article = stack.pop()
        # <header> and <footer> inside an <article> hold its headline and byline, not page chrome.
        if tag is not root and tag.name in _DROP_TAGS and not (tag.name in ("header", "footer") and in_article):
            removed.add(id(tag))
            continue
        kept.append((tag, parent))
        place, in_article = len(kept) - 1, in_article or tag.name == "article"
        stack.extend((child, place, in_article) for child in reversed(tag.contents) if isinstance(child, Tag))

    # The length of each element's text as get_text() counts it (strings of the main content
    # types: not comments, nor strings in <rt> or <script>), summed from the leaves up.
    lengths = [sum(len(child) for child in tag.contents if type(child) in _TEXT_TYPES) for tag, _ in kept]
    for place in range(len(kept) - 1, 0, -1):
        lengths[kept[place][1]] += lengths[place]
    total = lengths[0]

    # Outermost first: a chrome element's descendants go with it.
    inside_removed: set[int] = set()
    for place, (tag, parent) in enumerate(kept):
        if place == 0:
            continue
        if parent in inside_removed:
            inside_removed.add(place)
            continue
        names = " ".join([str(tag.get("id") or ""), *tag.get_attribute_list("class")])
        # A "chrome" class on a wrapper holding most of the page (e.g. "has-sidebar") is not chrome.
        if _CHROME.search(names) and lengths[place] <= total / 2:
            removed.add(id(tag))
            inside_removed.add(place)
    return removed


def _first(root: Tag, name: str, removed: set[int]) -> Tag | None:
    """The first element called `name` under `root`, in document order, outside the removed ones."""
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        if id(tag) in removed:
            continue
        if tag.name == name:
            return tag
        stack.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))
    return None


def _render(root: Tag, removed: frozenset[int] | set[int] = frozenset()) -> str:
    """Text of `root`, one line per block element, inline elements joined as they are, without the
    elements whose ids are in `removed`."""
    parts: list[str] = []
    pending = 0  # newlines owed at a block boundary; adjacent boundaries merge, they do not add up
    stack: list[PageElement | int] = [root]
    while stack:  # iterative walk: deeply nested markup must not hit the recursion limit
        node = stack.pop()
        if isinstance(node, int):  # the end of a block, pushed below
            pending = max(pending, node)
            continue
        if isinstance(node, PreformattedString):  # comments, doctype, CDATA
            continue
        if isinstance(node, NavigableString):
            text = _SPACE_RUN.sub(lambda m: _SOFT_BREAK if "\n" in m[0] else " ", node)
        elif node.name == "br":
            text = "\n"
        elif id(node) in removed:
            continue
        else:  # an element: its children, then the break that ends it
            newlines = 2 if node.name in _PARAGRAPH_TAGS else 1 if node.name in _LINE_TAGS else 0
            pending = max(pending, newlines)
            stack.append(newlines)
            stack.extend(reversed(node.contents))
            continue
        if pending and text.strip(" \r"):
            parts.append("\n" * pending)
            pending = 0
        parts.append(text)
    return _join_lines("".join(parts))


def _one_line(tag: Tag, removed: frozenset[int] | set[int] = frozenset()) -> str:
    return " ".join(line for line in _render(tag, removed).split("\n") if line)


def _join_lines(text: str) -> str:
    text = _WRAP_NEXT_TO_CJK.sub("", text)
    text = re.sub(r"[ \r]+", " ", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _strip_site_name(title: str) -> str:
    """'三亚推行路长制_海口网' -> '三亚推行路长制'; also strips channel names ('标题_海南新闻_海口网')."""
    title = title.strip()
    while True:
        separators = list(_TITLE_SEPARATOR.finditer(title))
        if not separators:
            return title
        last = separators[-1]
        if last.start() == 0 or len(title) - last.end() > _SITE_NAME_MAX:
            return title
        title = title[: last.start()].strip()
