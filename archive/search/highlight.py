"""Snippets and highlighting in an article's own script, found through its normalised form."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .words import normalise

SNIPPET_LENGTH = 120
CONTEXT_BEFORE = 30


def match_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of the words in text, found in its normalised form."""
    words = sorted({normalise(word) for word in words if word.strip()}, key=len, reverse=True)
    if not words:
        return []
    folded = normalise(text)
    if len(folded) != len(text):  # conversion changed the length: no safe way back to the original
        return []
    pattern = re.compile("|".join(map(re.escape, words)))
    return [match.span() for match in pattern.finditer(folded)]


def highlight(text: str, words: list[str], spans=None) -> SafeString:
    """The text, escaped, with each matched word in <mark>."""
    spans = match_spans(text, words) if spans is None else spans
    parts, position = [], 0
    for start, end in spans:
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def snippet(text: str, words: list[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """About `length` characters around the first match (or the opening), matches highlighted."""
    flat = re.sub(r"\s+", " ", text).strip()
    spans = match_spans(flat, words)
    start = max(0, spans[0][0] - CONTEXT_BEFORE) if spans else 0
    end = min(len(flat), start + length)
    inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
    body = highlight(flat[start:end], [], inside)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(flat) else ""))
