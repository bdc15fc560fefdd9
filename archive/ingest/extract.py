"""Facts stated in the text: publication date, outlet and credits (authors, photographers, editors).

Patterns run on simplified text.
"""

import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Credits:
    """Who wrote, photographed and edited an article, in the order the page names them."""

    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


AUTHOR, PHOTOGRAPHER, EDITOR = "authors", "photographers", "editors"
# What a label in a byline makes of the names after it. A function (文, 图, 编辑) says what the
# person did and wins over a rank (记者, 通讯员) beside it: "图/记者秦方" credits a photographer.
# Labels without a role (校对, 来源) end the names of the label before them.
_FUNCTIONS = {
    "摄影记者": PHOTOGRAPHER, "摄影": PHOTOGRAPHER, "摄像": PHOTOGRAPHER, "图片": PHOTOGRAPHER,
    "图": PHOTOGRAPHER, "摄": PHOTOGRAPHER,
    "责任编辑": EDITOR, "实习编辑": EDITOR, "编辑": EDITOR, "责编": EDITOR,
    "作者": AUTHOR, "撰文": AUTHOR, "撰稿": AUTHOR, "文": AUTHOR,
    "校对": None, "审核": None, "审校": None, "监制": None, "最后修改": None, "来源": None, "稿源": None,
}
_RANKS = ("记者", "通讯员", "实习生")
# 文, 图 and 摄 are labels only beside "/" or before ":" (文 is also a surname): 文/图 张三.
_LABEL_RE = re.compile(
    r"(?:本报|特约|实习|见习)?(摄影记者|摄影|摄像|图片|责任编辑|实习编辑|编辑|责编|作者|撰文|撰稿|校对|审核|审校|监制|"
    r"最后修改|来源|稿源|记者|通讯员|实习生|(?:文|图|摄)(?=\s*[/:])|(?<=/)(?:文|图))\s*[/:]?\s*"
)
# "(记者 秦方 摄)": a trailing 摄 credits the names before it with the picture.
_TRAILING_SHOT_RE = re.compile(r"^(.*?\S)\s*摄影?\s*$")
# Where bylines stand: tags, fields, □ lines, a bracketed byline, and short lines that begin with a label.
_CREDIT_TAG_RE = re.compile(r"\[((?:作者|编辑|责任编辑|摄影|图片):[^\]]+)\]")
_AUTHOR_FIELD_RE = re.compile(r"(?:^|\s)(作者:\s*\S+)")
_BRACKETED_RE = re.compile(r"\(\s*((?:本报|特约)?(?:记者|通讯员|摄影|责任编辑|编辑|责编)[^()]{2,40})\)")
_LABELLED_LINE_RE = re.compile(
    r"^(?:本报|特约|实习|见习)?(?:记者|通讯员|摄影|摄像|图片|责任编辑|编辑|责编|文|图)\s*[/:\s]"
)
_INLINE_BYLINE_RE = re.compile(r"^[^。]{0,20}?\(\s*((?:本报)?(?:记者|通讯员)[^()]{2,40})\)")


def _byline_pieces(line: str) -> list[str]:
    """The parts of a line that are bylines (a line may hold several: [作者:…] [编辑:…])."""
    if line.startswith("□") or "□文/" in line or "□图/" in line:
        return [piece for piece in line.split("□") if piece.strip()]
    pieces = _CREDIT_TAG_RE.findall(line) + _AUTHOR_FIELD_RE.findall(line) + _BRACKETED_RE.findall(line)
    if not pieces and _LABELLED_LINE_RE.match(line) and not re.search(r"[。,;!?]", line) and len(line) <= 60:
        pieces = [line]
    return pieces


def _credit_piece(piece: str, credits: dict[str, list[str]]) -> None:
    """Names after each run of labels, filed under what the labels say the people did."""
    shot = _TRAILING_SHOT_RE.match(piece)
    piece = shot.group(1) if shot else piece
    labels = list(_LABEL_RE.finditer(piece))
    for number, label in enumerate(labels):
        end = labels[number + 1].start() if number + 1 < len(labels) else len(piece)
        names_text = piece[label.end() : end]
        if not names_text.strip():
            continue  # a label directly before another: read with it
        group = [label]
        for earlier in reversed(labels[:number]):
            if piece[earlier.end() : group[0].start()].strip():
                break
            group.insert(0, earlier)
        words = [match.group(1) for match in group]
        roles = {_FUNCTIONS[word] for word in words if word in _FUNCTIONS}
        if not roles:
            roles = {AUTHOR} if any(word in _RANKS for word in words) else set()
        if shot and end == len(piece):
            roles = {PHOTOGRAPHER}
        for role in roles - {None}:
            credits[role].extend(name for name in split_names(names_text) if name not in credits[role])


def find_credits(meta_lines: list[str], opening: str = "") -> Credits:
    """Bylines: [作者:…] [编辑:…], 作者:…, □本报记者…, □文/记者…□图/记者…, (记者 … 通讯员 …),
    责任编辑:…, (记者 … 摄).

    `opening` is the start of the article's first paragraph, where mainland papers put the
    byline: 本报讯(记者 王建军 通讯员 罗丽)….
    """
    credits: dict[str, list[str]] = {AUTHOR: [], PHOTOGRAPHER: [], EDITOR: []}
    if match := _INLINE_BYLINE_RE.match(opening):
        meta_lines = [f"({match.group(1)})", *meta_lines]
    for line in meta_lines:
        for piece in _byline_pieces(line.strip()):
            _credit_piece(piece, credits)
    return Credits(**credits)
