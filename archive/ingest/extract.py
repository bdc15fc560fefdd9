"""Facts stated in the text: publication date, outlet and authors. Patterns run on simplified text."""

import re
from datetime import date

from .names import split_names

FULL_DATE_RES = [
    re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
]
_DATELINE_DATE_RE = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日(?:电|讯)")


EARLIEST_YEAR = 1990  # dates before this in a text are not publication dates of these articles


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if EARLIEST_YEAR <= year <= date.today().year else None


def stated_date(lines: list[str]) -> date | None:
    """The first full date in lines that carry metadata (a header, a 发布时间 line)."""
    for line in lines:
        for pattern in FULL_DATE_RES:
            match = pattern.search(line)
            if match and (found := make_date(*map(int, match.groups()))):
                return found
    return None


def dateline_date(paragraphs: list[str], full_text: str) -> tuple[date | None, str]:
    """The date of a dateline (10月21日电, 6月9日讯) when the text gives the same date with its year.

    A year worked out from relative phrases ("两年多来") is not taken: that would be a guess.
    """
    for paragraph in paragraphs[:1] + paragraphs[-2:]:
        match = _DATELINE_DATE_RE.search(paragraph)
        if not match:
            continue
        month, day = int(match.group(1)), int(match.group(2))
        for pattern in FULL_DATE_RES:
            for full in pattern.finditer(full_text):
                if (int(full.group(2)), int(full.group(3))) == (month, day):
                    return make_date(int(full.group(1)), month, day), "dateline, year from the same date in full"
    return None, ""


# In order of trust: a source line, a reporter of a named paper, an interview given to a paper,
# a credit of a dispatch (据新华社海口10月21日电, 据人民网报道), a paper named in a header line.
_OUTLET_PATTERNS = [
    re.compile(r"\[来源:\s*([^\]\s]+)\s*\]"),
    re.compile(r"(?:^|\s)来源:\s*([^\s\]]{2,20})"),
    re.compile(r"《([^》]{2,12}?(?:报|刊|杂志|周刊))》\s*记者"),
    re.compile(r"接受《([^》]{2,16})》(?:记者)?(?:专访|采访)"),
    re.compile(r"据《?(新华社|中新社|[^\s,。()《》]{2,10}?(?:社|报|网|台))》?[^\s,。]{0,12}?(?:\d{1,2}月\d{1,2}日电|报道|消息)"),
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日\s+(\S{2,16}(?:报|社|网|台|刊|微博))\s*$"),
]
_SITE_PATTERNS = [
    re.compile(r"版权均属(\S{2,12}?)所有"),
    re.compile(r"搜索“(\S{2,10}?)”"),
    re.compile(r"^(\S{2,12}?)版权所有"),
]


def find_outlet(meta_lines: list[str], text: str, chrome_lines: list[str], board: str = "") -> str:
    """Who published the article: a 来源 line, a 据…电 credit, 《…报》记者, else the site or forum."""
    for pattern in _OUTLET_PATTERNS:
        for line in [*meta_lines, *text.split("\n")]:
            if match := pattern.search(line.strip()):
                return match.group(1)
    if board:
        return board
    for pattern in _SITE_PATTERNS:
        for line in chrome_lines:
            if match := pattern.search(line.strip()):
                return match.group(1).strip("“”\"")
    return ""


_BYLINE_ROLE_RE = re.compile(r"(?:本报|特约|实习)?(?:记者|通讯员|实习生|作者):?\s*")
_AUTHOR_PATTERNS = [
    re.compile(r"\[作者:\s*([^\]]+)\]"),
    re.compile(r"(?:^|\s)作者:\s*(\S+)"),
    re.compile(r"\(\s*((?:记者|通讯员)[^()]{2,40})\)"),
]


_INLINE_BYLINE_RE = re.compile(r"^[^。]{0,20}?\(\s*((?:本报)?(?:记者|通讯员)[^()]{2,40})\)")


def find_authors(meta_lines: list[str], opening: str = "") -> list[str]:
    """Bylines: [作者:…], 作者:…, □本报记者…, □文/记者…□图/记者…, (记者 … 通讯员 …).

    `opening` is the start of the article's first paragraph, where mainland papers put the
    byline: 本报讯(记者 王建军 通讯员 罗丽)….
    """
    found: list[str] = []
    if match := _INLINE_BYLINE_RE.match(opening):
        meta_lines = [f"({match.group(1)})", *meta_lines]
    for line in meta_lines:
        line = line.strip()
        pieces = []
        if line.startswith("□") or "□文/" in line or "□图/" in line:
            pieces = [re.sub(r"^(文|图|摄影|摄)/", "", piece) for piece in line.split("□") if piece]
        for pattern in _AUTHOR_PATTERNS:
            pieces += pattern.findall(line)
        for piece in pieces:
            for chunk in _BYLINE_ROLE_RE.split(piece):
                found.extend(name for name in split_names(chunk) if name not in found)
    return found
