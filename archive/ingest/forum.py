"""Forum threads (Discuz-style pages): the first post is the article, the replies are comments."""

import re
from dataclasses import dataclass
from datetime import datetime

from .clean import is_hard_chrome, is_headline_like
from .draft import Comment
from .layout import body_paragraphs, strip_board_tag

_TIME = r"(\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)"
POST_HEADER_RE = re.compile(rf"^\s*(楼主\s*\|)?\s*发表[于?]\s+{_TIME}\s*\|")
_QUOTE_HEADER_RE = re.compile(rf"^\s*(\S+?)\s+发表于\s+{_TIME}\s*$")
_BOARD_NAME_RE = re.compile(r"(\S{2,20}?(论坛|社区|bbs|BBS))")
# The thread's figures above its first post ("查看: 1166|回复: 3", "阅读(1166) 回复(3)") and where
# the first post came from ("来自 中国江苏徐州", "IP属地:江苏").
_VIEWS_RE = re.compile(r"(?:查看|阅读|浏览|点击|人气)\s*[:(]?\s*(\d+)")
_REPLIES_RE = re.compile(r"(?:回复|回帖|评论)\s*[:(]?\s*(\d+)")
_LOCATION_RE = re.compile(r"(?:来自|IP属地|所在地|发帖地)\s*[:]?\s*([^\s|]{2,40})")


@dataclass
class Thread:
    title: str
    paragraphs: list[str]
    posted_at: datetime | None
    comments: list[Comment]
    board: str
    header: list[int]  # indexes of the lines before the first post
    location: str = ""  # where the first post came from, in the page's own script
    views: int | None = None
    replies: int | None = None


def parse_time(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(re.sub(r"\s+", " ", text.strip()), fmt)
        except ValueError:
            continue
    return None


def is_thread(simplified: list[str]) -> bool:
    return any(POST_HEADER_RE.match(line) for line in simplified)


def _board_name(simplified: list[str], lines: list[str]) -> str:
    for line, simple in zip(lines, simplified, strict=True):
        if simple.strip():
            match = _BOARD_NAME_RE.search(simple)
            if match and len(simple.strip()) <= 24:
                return line.strip()[match.start() : match.end()]
            break
    return ""


def _title(before: list[int], lines: list[str], simplified: list[str]) -> str:
    heads = [i for i in before if is_headline_like(simplified[i]) and not is_hard_chrome(simplified[i])]
    # The thread title is the last headline before the first post (the board name comes first).
    titles = [strip_board_tag(lines[i].strip()) for i in reversed(heads)]
    return next((title for title in titles if title), "")


def _figure(pattern: re.Pattern, lines: list[str]) -> int | None:
    for line in lines:
        if match := pattern.search(line):
            return int(match.group(1))
    return None


def _location(indexes: list[int], lines: list[str], simplified: list[str]) -> str:
    for i in indexes:
        if match := _LOCATION_RE.search(simplified[i]):
            # Conversion keeps one character for one, so the span carries over to the original.
            same_length = len(lines[i]) == len(simplified[i])
            return lines[i][match.start(1) : match.end(1)] if same_length else match.group(1)
    return ""


def _reply(lines: list[str], simplified: list[str], header: re.Match) -> Comment:
    author = "楼主" if header.group(1) else ""
    quote_author, quote_lines = "", []
    rest = [(line.strip(), simple.strip()) for line, simple in zip(lines, simplified, strict=True)]
    while rest and not rest[0][0]:
        rest.pop(0)
    if rest and (quote := _QUOTE_HEADER_RE.match(rest[0][1])):
        quote_author = rest[0][0][: len(quote.group(1))]
        rest.pop(0)
        while rest and rest[0][0]:
            quote_lines.append(rest.pop(0)[0])
    text_lines = [line for line, _ in rest if line]
    return Comment(
        author=author,
        posted_at=parse_time(header.group(2)),
        text="\n".join(text_lines),
        quote_author=quote_author,
        quote_text="\n".join(quote_lines),
    )


def _name_quoted_authors(comments: list[Comment]) -> list[Comment]:
    """A reply that quotes "王者典范 发表于 2011-6-10 13:56" names the author of that earlier reply."""
    named = list(comments)
    for comment in comments:
        if not comment.quote_author:
            continue
        for index, earlier in enumerate(named):
            if earlier.author or not earlier.posted_at:
                continue
            if earlier.text.startswith(comment.quote_text.split("\n")[0][:10]) and earlier is not comment:
                named[index] = Comment(
                    comment.quote_author, earlier.posted_at, earlier.text, earlier.quote_author, earlier.quote_text
                )
                break
    return named


def parse_thread(lines: list[str], simplified: list[str]) -> Thread:
    headers = [i for i, line in enumerate(simplified) if POST_HEADER_RE.match(line)]
    end = next((i for i in range(headers[-1] + 1, len(lines)) if is_hard_chrome(simplified[i])), len(lines))
    bounds = [*headers, end]
    first = POST_HEADER_RE.match(simplified[headers[0]])
    op_lines = [i for i in range(headers[0] + 1, bounds[1]) if lines[i].strip() and not is_hard_chrome(simplified[i])]
    comments = []
    for number, start in enumerate(headers[1:], start=1):
        stop = bounds[number + 1]
        header = POST_HEADER_RE.match(simplified[start])
        comment = _reply(lines[start + 1 : stop], simplified[start + 1 : stop], header)
        if comment.text or comment.quote_text:
            comments.append(comment)
    before = [i for i in range(headers[0]) if simplified[i].strip()]
    # The first post's header, then the lines above it (where some forums put the poster's details).
    post_header = [headers[0], *reversed(before)]
    figures = [simplified[i] for i in post_header]
    return Thread(
        title=_title(before, lines, simplified),
        paragraphs=body_paragraphs(op_lines, lines, simplified),
        posted_at=parse_time(first.group(2)),
        comments=_name_quoted_authors(comments),
        board=_board_name(simplified, lines),
        header=list(range(headers[0] + 1)),
        location=_location(post_header, lines, simplified),
        views=_figure(_VIEWS_RE, figures),
        replies=_figure(_REPLIES_RE, figures),
    )
