"""Reduce a saved HTML page to its title and plain text, dropping the page chrome.

Pure functions (no Django). The text keeps one line per block element so that the cleaner
downstream sees the same paragraph structure as in the plain-text dumps.
"""

from __future__ import annotations

import re
import warnings
from itertools import islice

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PageElement, PreformattedString

# Tags that never hold article text. "title" is read separately and must not repeat in the text.
_DROP_TAGS = [
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "template",
    "button", "select", "svg", "title",
]  # fmt: skip
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
    _remove_chrome(root)

    h1 = root.find("h1")
    headline = _one_line(h1) if h1 else ""
    if headline:
        # The headline leads the text even when the page shows a dateline or kicker before it.
        h1.decompose()
        return headline, _join_lines(headline + "\n\n" + _render(root))
    return page_title or None, _render(root)


def _remove_chrome(root: Tag) -> None:
    for tag in root.find_all(_DROP_TAGS):
        # <header> and <footer> inside an <article> hold its headline and byline, not page chrome.
        if not tag.decomposed and not (tag.name in ("header", "footer") and tag.find_parent("article")):
            tag.decompose()
    total = len(root.get_text())
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        names = " ".join([str(tag.get("id") or ""), *tag.get_attribute_list("class")])
        # A "chrome" class on a wrapper holding most of the page (e.g. "has-sidebar") is not chrome.
        if _CHROME.search(names) and len(tag.get_text()) <= total / 2:
            tag.decompose()


def _render(root: Tag) -> str:
    """Text of `root`, one line per block element, inline elements joined as they are."""
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


def _one_line(tag: Tag) -> str:
    return " ".join(line for line in _render(tag).split("\n") if line)


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
