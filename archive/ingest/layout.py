"""Finding the article in a page: its headline and the run of lines that is its text.

The page is cut into runs at hard chrome (navigation, link lists, footers); the run holding the
most running text is the article. The headline is the first headline-like line before it, else
the line the site gave as the original title (原标题).
"""

import re
from dataclasses import dataclass

from .clean import (
    LABEL_PREFIX_RE,
    cjk_count,
    common_share,
    is_dateline,
    is_hard_chrome,
    is_headline_like,
    is_soft_chrome,
    is_substantial,
)

_ORIGINAL_TITLE_RE = re.compile(r"^\(?原[标?][题?]:\s*(.+?)\)?\s*$")
_BOARD_TAG_RE = re.compile(r"^\s*[【\[][^】\]]{1,10}[】\]]\s*")


@dataclass
class Layout:
    title: str
    paragraphs: list[str]  # in the article's own script
    chrome_lines: int  # non-blank lines dropped
    header: list[int]  # indexes of the lines before the body (where bylines and dates stand)


def strip_board_tag(title: str) -> str:
    """Forum and portal tags such as 【新闻转播】 are not part of the headline."""
    return _BOARD_TAG_RE.sub("", title).strip()


def _runs(simplified: list[str]) -> list[list[int]]:
    runs, current = [], []
    for index, line in enumerate(simplified):
        if is_hard_chrome(line):
            if current:
                runs.append(current)
            current = []
        elif line.strip():
            current.append(index)
    if current:
        runs.append(current)
    return runs


def _run_weight(run: list[int], simplified: list[str]) -> int:
    return sum(cjk_count(simplified[i]) for i in run if is_substantial(simplified[i]))


def _title_before(candidates: list[int], lines: list[str], simplified: list[str]) -> str:
    """The first headline-like line, skipping lines that only repeat part of another headline."""
    heads = [
        i for i in candidates
        if is_headline_like(simplified[i]) and not is_soft_chrome(simplified[i]) and "。" not in simplified[i]
        and common_share(simplified[i]) >= 0.5  # garbled bytes are not a headline
    ]
    texts = [simplified[i].strip() for i in heads]
    for i, text in zip(heads, texts, strict=True):
        if not any(text != other and text in other for other in texts):
            return strip_board_tag(lines[i].strip())
    return ""


def _original_title(lines: list[str], simplified: list[str]) -> str:
    for line, simple in zip(lines, simplified, strict=True):
        match = _ORIGINAL_TITLE_RE.match(simple.strip())
        if match:
            original = line.strip()
            # Conversion keeps one character for one, so the span carries over to the original.
            if len(original) == len(simple.strip()):
                return original[match.start(1) : match.end(1)].strip()
            return match.group(1).strip()
    return ""


def body_paragraphs(indexes: list[int], lines: list[str], simplified: list[str]) -> list[str]:
    """The article's lines as paragraphs: soft chrome dropped, trailing scraps trimmed, no repeats."""
    kept = [i for i in indexes if not is_soft_chrome(simplified[i])]
    while kept and not (is_substantial(simplified[kept[-1]]) or is_dateline(simplified[kept[-1]])):
        kept.pop()
    paragraphs, seen = [], {}
    for i in kept:
        text = LABEL_PREFIX_RE.sub("", lines[i].strip())
        key = LABEL_PREFIX_RE.sub("", simplified[i].strip())
        if len(key) >= 20 and key in seen:
            # A lede repeated later (核心提示 summaries): keep the later, in-place occurrence.
            paragraphs[seen[key]] = None
        seen[key] = len(paragraphs)
        paragraphs.append(text)
    return [p for p in paragraphs if p]


def find_article(lines: list[str], simplified: list[str]) -> Layout:
    runs = _runs(simplified)
    if not runs:
        return Layout("", [], sum(1 for line in lines if line.strip()), list(range(len(lines))))
    main = max(runs, key=lambda run: _run_weight(run, simplified))
    substantial = [i for i in main if is_substantial(simplified[i])]
    start = substantial[0] if substantial else main[0]
    before = [i for i in range(start) if simplified[i].strip() and not is_hard_chrome(simplified[i])]
    title = _title_before(before, lines, simplified) or _original_title(lines, simplified)
    paragraphs = body_paragraphs([i for i in main if i >= start], lines, simplified)
    if not title and paragraphs:
        title = _first_sentence(paragraphs[0])
    kept = len(paragraphs)
    total = sum(1 for line in lines if line.strip())
    return Layout(title, paragraphs, max(0, total - kept - 1), list(range(start)))


def _first_sentence(paragraph: str) -> str:
    sentence = re.split(r"(?<=[。!?!?])", paragraph, maxsplit=1)[0]
    return sentence[:60]
