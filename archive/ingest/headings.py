"""Sub-headings inside an article's text, and the plain-text form the stored body gives them.

A stored body is paragraphs separated by a blank line. A paragraph that begins with "## " is a
section heading; one that begins with "### " is a heading under it (the second of two headings in a
row, as in 为百姓解难题 / 推行“路长制+”). Everything else is a paragraph of running text.
"""

import re

from .clean import cjk_count, is_dateline, is_substantial
from .script import matching_form

HEADING, SUBHEADING, PARAGRAPH = "heading", "subheading", "paragraph"
_MARKS = {HEADING: "## ", SUBHEADING: "### "}
_MARKED_RE = re.compile(r"^(#{2,3}) ")

MAX_HEADING_LENGTH = 30  # the longest sub-heading in the sample dumps has 21 characters
# 一、 (一) 第一, 1. — a numbered line is a heading even with a full stop at its end.
_NUMBERED_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|第[一二三四五六七八九十]{1,3}[,、]|\d{1,2}[.、](?!\d))"
)
_SENTENCE_MARKS_RE = re.compile(r"[。,;:!?…]")
# Lines that are short and bare but no heading: picture captions, bylines, a quotation on its own.
_NOT_HEADING_RE = re.compile(r"^(?:图为|图:|\(图|\(|\[)|记者|通讯员|摄影|编辑|^“[^“”]*”$")


def _looks_like_heading(simplified: str) -> bool:
    line = simplified.strip()
    if not cjk_count(line) >= 4 or len(line) > MAX_HEADING_LENGTH:
        return False
    if is_dateline(line):
        return False
    if numbered := _NUMBERED_RE.match(line):
        line = line.removesuffix("。")[numbered.end() :]
    return not (_NOT_HEADING_RE.search(line) or _SENTENCE_MARKS_RE.search(line))


def mark_headings(paragraphs: list[str]) -> list[str]:
    """The paragraphs with heading-like lines marked: short, without a sentence, with running text after.

    The first and the last paragraph are never headings: a heading opens a section of the text.
    """
    simplified = [matching_form(paragraph) for paragraph in paragraphs]
    heading = [0 < i < len(paragraphs) - 1 and _looks_like_heading(line) for i, line in enumerate(simplified)]
    marked = []
    for i, paragraph in enumerate(paragraphs):
        following = next((j for j in range(i + 1, len(paragraphs)) if not heading[j]), None)
        if heading[i] and following is not None and following - i <= 2 and is_substantial(simplified[following]):
            kind = SUBHEADING if i > 0 and marked[-1].startswith(_MARKS[HEADING]) else HEADING
            marked.append(_MARKS[kind] + paragraph)
        else:
            marked.append(paragraph)
    return marked


def body_blocks(body: str) -> list[tuple[str, str]]:
    """A stored body as (kind, text) pairs, kind being HEADING, SUBHEADING or PARAGRAPH, marks removed."""
    blocks = []
    for paragraph in body.split("\n\n"):
        if not paragraph.strip():
            continue
        mark = _MARKED_RE.match(paragraph)
        if mark:
            blocks.append((HEADING if mark.group(1) == "##" else SUBHEADING, paragraph[mark.end() :]))
        else:
            blocks.append((PARAGRAPH, paragraph))
    return blocks


def plain_text(body: str) -> str:
    """A stored body without its heading marks: what is indexed and quoted in snippets."""
    return "\n\n".join(text for _kind, text in body_blocks(body))
