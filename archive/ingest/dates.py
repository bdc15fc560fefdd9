"""An estimated date for an article whose text states none: the year (and month) its words imply.

Three kinds of evidence, all read on simplified text (matching_form), while the sentences kept as
evidence stay as the text has them:

- a period counted from a stated time: "2011年6月……两年多来" → 2013;
- the present the text speaks from: "截至2013年10月", "2013年1至10月" → 2013;
- a dateline (11月22日电) whose year is the latest the text states as past, one later when that
  year's stated months come after the dateline's month.

A wrong estimate is worse than none, so the estimate abstains when the text contradicts itself:
the same sentence with another year, counted periods that end in different years, a period that
ends before an event the text states as past, "今年8月" as past in a story dated 6月.
"""

import re
from dataclasses import dataclass
from datetime import date

from .extract import EARLIEST_YEAR

_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_CN_YEAR = "[一二][〇零○一二三四五六七八九]{3}"
_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
# A year stated with its month or part: 2011年6月, 二〇一三年, 2009年初.
_YEAR_RE = re.compile(
    rf"(?<![\d〇零○一二三四五六七八九])((?:19|20)\d\d|{_CN_YEAR})\s*年(?!代)(?:{_MONTH}\s*月|(初|底|末))?"
)
# A counted period: 两年多来, 近4年来, 十多年来 (not 多年来, 十几年来: no number to count with).
_PERIOD_RE = re.compile(r"(?<![\d年])(近)?(\d{1,2}|[一二两三四五六七八九十]{1,3})(多)?\s*年(多)?(?:来|以来)")
# The present the text speaks from: 截至2013年10月, 2013年1至10月, 2013年上半年.
_AS_OF_RE = re.compile(rf"(?:截至|截止|截止到|截至到)\s*((?:19|20)\d\d|{_CN_YEAR})\s*年\s*{_MONTH}\s*月")
_PART_OF_YEAR_RE = re.compile(
    rf"((?:19|20)\d\d|{_CN_YEAR})\s*年\s*(?:1\s*[-至到~—]\s*{_MONTH}\s*月|前{_MONTH}个?月|上半年|一季度|第一季度)"
)
# A month of this year stated as past: 今年8月初, 今年2月.
_THIS_YEAR_MONTH_RE = re.compile(rf"今年\s*{_MONTH}\s*月")
# A dateline: 11月22日电, 6月9日讯; "?0月" is 10月 with its first digit lost to a "?".
_DATELINE_RE = re.compile(r"(?<![\d年])(\d{1,2}|\?0)月(\d{1,2})日(?:电|讯)")
# Words that put a year in the future (到2020年, 力争2015年底前): such a year is a plan, not a date.
_FUTURE_WORDS_RE = re.compile(r"计划|预计|力争|争取|规划|目标|将于|将在|拟于|有望|届时")
_FUTURE_BEFORE_RE = re.compile(r"(?<!截)(?:到|至)\s*$")
_FUTURE_AFTER_RE = re.compile(r"^\s*年(?:底|末)?前")
_CLAUSE_END = ",;:。!?"
# A sentence ends at 。 ! ?, but not at a run of "?" that stands for lost characters.
_SENTENCE_END_RE = re.compile(r"(?:。|!|(?<!\?)\?(?![?\d]))+[”’」』)]*")
_TOLERANCE = 1  # years two counted periods may differ by and still agree ("两年多" is 2 or 3)
_REASONING_LENGTH = 200


@dataclass(frozen=True)
class DateEstimate:
    year: int
    month: int | None
    evidence: str  # the sentences it rests on, in the text's own script, one a line
    reasoning: str  # e.g. "dateline 11月22日; 2011年6月 + 兩年多來 → 2013"


@dataclass(frozen=True)
class _Sentence:
    simplified: str
    original: str

    def quote(self, start: int, end: int) -> str:
        """A piece of the sentence as the text has it (the simplified piece if lengths differ)."""
        same_length = len(self.original) == len(self.simplified)
        return (self.original if same_length else self.simplified)[start:end]


@dataclass(frozen=True)
class _Year:
    year: int
    month: int | None
    sentence: _Sentence
    start: int
    end: int

    @property
    def words(self) -> str:
        return self.sentence.quote(self.start, self.end)


def _number(text: str) -> int:
    """1..99 from digits or Chinese numerals: 5, 两, 十, 十二, 二十."""
    if text.isdigit():
        return int(text)
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2}
    if "十" in text:
        tens, _, ones = text.partition("十")
        return values.get(tens, 1) * 10 + values.get(ones, 0)
    return values.get(text, 0)


def _year_number(text: str) -> int:
    return int("".join(_DIGITS.get(c, c) for c in text))


def _month_number(text: str | None) -> int | None:
    month = _number(text) if text else None
    return month if month and 1 <= month <= 12 else None


def _sentences(paragraphs: list[str], simplified: list[str]) -> list[list[_Sentence]]:
    """Each paragraph's sentences, simplified and as written (cut where the simplified text ends them)."""
    found = []
    for original, simple in zip(paragraphs, simplified, strict=True):
        same_length = len(original) == len(simple)
        ends = [m.end() for m in _SENTENCE_END_RE.finditer(simple)]
        spans = [
            (start, end)
            for start, end in zip([0, *ends], [*ends, len(simple)], strict=True)
            if simple[start:end].strip()
        ]
        found.append([_Sentence(simple[a:b], original[a:b] if same_length else simple[a:b]) for a, b in spans])
    return found


def _clause(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The clause around text[start:end]: what comes before it, the match, what comes after."""
    left = max((text.rfind(c, 0, start) for c in _CLAUSE_END), default=-1) + 1
    rights = [i for c in _CLAUSE_END if (i := text.find(c, end)) != -1]
    right = min(rights, default=len(text))
    return text[left:start], text[start:end], text[end:right]


def _is_future(sentence: str, start: int, end: int) -> bool:
    before, _, after = _clause(sentence, start, end)
    return bool(
        _FUTURE_WORDS_RE.search(before + after) or _FUTURE_BEFORE_RE.search(before) or _FUTURE_AFTER_RE.match(after)
    )


def _stated_years(sentence: _Sentence) -> list[_Year]:
    """Years the sentence states as past or present (plans and targets left out)."""
    found = []
    for match in _YEAR_RE.finditer(sentence.simplified):
        year = _year_number(match.group(1))
        if not EARLIEST_YEAR <= year <= date.today().year or _is_future(sentence.simplified, *match.span()):
            continue
        found.append(_Year(year, _month_number(match.group(2)), sentence, match.start(), match.end()))
    return found


def _impossible_month(sentences: list[_Sentence]) -> bool:
    """Is a month stated that no calendar has (2020年58月)? Then the text's numbers are not to be trusted."""
    return any(
        match.group(2) and _month_number(match.group(2)) is None
        for sentence in sentences for match in _YEAR_RE.finditer(sentence.simplified)
    )


def _same_sentence_other_year(sentences: list[_Sentence]) -> bool:
    """The same sentence stated with different years: the text cannot date itself."""
    seen: dict[str, tuple[int, ...]] = {}
    for sentence in sentences:
        years = tuple(y.year for y in _stated_years(sentence))
        if not years:
            continue
        key = re.sub(rf"\d+|{_CN_YEAR}", "#", sentence.simplified).strip()
        if len(key) < 12:
            continue
        if seen.setdefault(key, years) != years:
            return True
    return False


@dataclass(frozen=True)
class _Period:
    year: int  # the year the period ends in: the text's present
    anchor: _Year
    sentence: _Sentence
    start: int
    end: int

    @property
    def reasoning(self) -> str:
        return f"{self.anchor.words} + {self.sentence.quote(self.start, self.end)} → {self.year}"

    @property
    def counted_in_digits(self) -> bool:
        return any(c.isdigit() for c in self.sentence.simplified[self.start : self.end])


def _counted_periods(paragraphs: list[list[_Sentence]], dateline_month: int | None = None) -> list[_Period]:
    """Periods counted from the nearest year stated before them in the same paragraph.

    "两年多" from 2011年6月 ends more than two years on: with a dateline in 11月 that is 2013, with
    one in 5月 it is the year after (2013年5月 would be less than two years)."""
    found = []
    for sentences in paragraphs:
        latest: _Year | None = None
        for sentence in sentences:
            years = _stated_years(sentence)
            for match in _PERIOD_RE.finditer(sentence.simplified):
                before = [y for y in years if y.end <= match.start()]
                anchor = before[-1] if before else latest
                length = _number(match.group(2))
                if anchor and 1 <= length <= 30:
                    more_than = bool(match.group(3) or match.group(4))
                    later = more_than and anchor.month and dateline_month and dateline_month <= anchor.month
                    found.append(_Period(anchor.year + length + bool(later), anchor, sentence, *match.span()))
            if years:
                latest = years[-1]
    return found


def _present_years(sentences: list[_Sentence]) -> list[tuple[int, _Sentence, str]]:
    """Years the text speaks of as its present: 截至2013年10月, 2013年1至10月."""
    found = []
    for sentence in sentences:
        for pattern in (_AS_OF_RE, _PART_OF_YEAR_RE):
            for match in pattern.finditer(sentence.simplified):
                year = _year_number(match.group(1))
                if EARLIEST_YEAR <= year <= date.today().year:
                    found.append((year, sentence, sentence.quote(*match.span())))
    return found


def _dateline(paragraphs: list[list[_Sentence]]) -> tuple[int, int, _Sentence] | None:
    """Month and day of a dateline in the first or the last two paragraphs."""
    for sentences in paragraphs[:1] + paragraphs[-2:]:
        for sentence in sentences:
            if match := _DATELINE_RE.search(sentence.simplified):
                month = 10 if match.group(1) == "?0" else int(match.group(1))
                day = int(match.group(2))
                if 1 <= month <= 12 and 1 <= day <= 31:
                    return month, day, sentence
    return None


def _past_months_of_this_year(sentences: list[_Sentence]) -> list[int]:
    months = []
    for sentence in sentences:
        for match in _THIS_YEAR_MONTH_RE.finditer(sentence.simplified):
            if (month := _month_number(match.group(1))) and not _is_future(sentence.simplified, *match.span()):
                months.append(month)
    return months


def estimate_date(paragraphs: list[str], simplified: list[str]) -> DateEstimate | None:
    """The year (and month) the text implies, with the sentences and the reasoning; None to abstain.

    `simplified` holds the paragraphs in matching form, one for one.
    """
    by_paragraph = _sentences(paragraphs, simplified)
    sentences = [sentence for paragraph in by_paragraph for sentence in paragraph]
    if _same_sentence_other_year(sentences) or _impossible_month(sentences):
        return None
    stated = [year for sentence in sentences for year in _stated_years(sentence)]
    latest = max((y.year for y in stated), default=None)
    dateline = _dateline(by_paragraph)
    periods = _counted_periods(by_paragraph, dateline[0] if dateline else None)

    if dateline and any(month > dateline[0] for month in _past_months_of_this_year(sentences)):
        return None  # "今年8月" told as past in a story dated in June
    if periods and max(p.year for p in periods) - min(p.year for p in periods) > _TOLERANCE:
        return None
    if periods and latest and min(p.year for p in periods) < latest:
        return None  # a period that ends before an event the text tells as past
    if len(periods) == 1 and periods[0].counted_in_digits:
        return None  # one period alone, as "近9年来": a figure easily mistyped or left from another story

    evidence: list[_Sentence] = []
    reasons: list[str] = []
    if periods:
        year = max(p.year for p in periods)
        for period in periods:
            evidence += [period.anchor.sentence, period.sentence]
            reasons.append(period.reasoning)
    elif present := [found for found in _present_years(sentences) if latest is None or found[0] >= latest]:
        year, sentence, words = max(present, key=lambda found: found[0])
        evidence.append(sentence)
        reasons.append(f"{words} → {year}")
    elif dateline and latest:
        # The latest year stated is no date of the story by itself; two of its months told as past
        # and later in the year than the dateline's month put the story in the year after it.
        after = sorted({y.month: y for y in stated if y.year == latest and y.month and y.month > dateline[0]}.items())
        if len(after) < 2:
            return None
        year = latest + 1
        evidence += [y.sentence for _month, y in after]
        reasons.append(f"{'、'.join(y.words for _month, y in after)} are past, after {dateline[0]}月 → {year}")
    else:
        return None

    month = None
    if dateline:
        month, day, sentence = dateline
        # Months of the estimated year stated as past, after the dateline's month: the text contradicts it.
        if any(y.year == year and y.month and y.month > month for y in stated):
            return None
        evidence.insert(0, sentence)
        reasons.insert(0, f"dateline {month}月{day}日")

    return DateEstimate(
        year=year,
        month=month,
        evidence="\n".join(dict.fromkeys(s.original.strip() for s in evidence)),
        reasoning=_short("; ".join(reasons)),
    )


def _short(reasoning: str) -> str:
    return reasoning if len(reasoning) <= _REASONING_LENGTH else reasoning[: _REASONING_LENGTH - 1] + "…"
