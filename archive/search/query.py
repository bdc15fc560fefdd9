"""The query language, parsed without Django or the index.

    三亚 路长制            both words (AND)
    "安局局长"             these characters as typed, however the text was cut into words
    路长制 OR 警保联控      either
    -交警                  not this word
    title:公安             in the headline only (title:"…" too)
    路长制 NEAR/10 交通    both, at most 10 words apart, either order (NEAR alone: 10)

Full-width forms count as their ASCII twins (－交警, ＂…＂), and “…”, 「…」 and 『…』 quote as "…" does.
Anything else — unbalanced quotes, a lone operator, control characters, markup — is read as
plain words, and the query's notes say so. Nothing here raises on any input.
"""

import re
from dataclasses import dataclass, field

from ..ingest.script import fold_full_width

MAX_QUERY_LENGTH = 200  # characters kept of a query; longer input is cut, not refused
# The limits of one query, so that no search costs more than a search should: a query over them is
# refused (Query.refused says which limit), not cut, so that what is found is what was asked.
MAX_TERMS = 16  # terms: words, quoted strings, NEAR groups, exclusions
MAX_QUOTED = 4  # quoted strings and NEAR groups, the terms that read positions
MAX_QUOTED_LENGTH = 40  # characters in one quoted string

_TOKEN_RE = re.compile(r'(-?)(?:(title):)?(?:"([^"]*)"|(\S+))')
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_QUOTES = str.maketrans(dict.fromkeys("“”「」『』", '"'))
_NEAR_RE = re.compile(r"NEAR(?:/(\d{1,3}))?")
NEAR_DISTANCE = 10  # words apart at most, for NEAR without a number


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    in_title: bool = False
    near: int = 0  # NEAR: the words of `text` (terms typed apart) at most this many words apart


@dataclass
class Query:
    """Groups that must all match; each group is a list of alternatives (OR)."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    typed: bool = False  # something other than spaces was typed
    notes: list[str] = field(default_factory=list)  # how the query was read, where not as typed
    refused: str = ""  # which limit the query is over, and what to do: then nothing is searched

    def is_empty(self) -> bool:
        return not self.groups and not self.excluded

    def is_unsearchable(self) -> bool:
        """Something was typed, yet nothing to find: only punctuation or operators, or only exclusions."""
        return self.typed and not self.groups

    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def clean(raw: str, notes: list[str]) -> str:
    """The query as parsed: control characters out, full-width forms and Chinese quotes folded, cut to length."""
    text = fold_full_width(_CONTROL_RE.sub(" ", raw or "")).translate(_QUOTES)
    if len(text) > MAX_QUERY_LENGTH:
        notes.append(f"检索式过长，只用了前 {MAX_QUERY_LENGTH} 个字符。")
        text = text[:MAX_QUERY_LENGTH]
    if text.count('"') % 2:  # an unbalanced quote is not a phrase
        notes.append("引号不成对，已按普通字词检索。")
        text = text.replace('"', " ")
    return text.strip()


def parse(raw: str) -> Query:
    query = Query()
    query.typed = bool(_CONTROL_RE.sub(" ", raw or "").strip())
    text = clean(raw, query.notes)
    pending_or, pending_near = False, 0
    for match in _TOKEN_RE.finditer(text):
        negated, field_name, quoted, word = match.groups()
        if word == "OR" and not negated and not field_name:
            if not query.groups:
                query.notes.append("“OR”前面没有词，已忽略。")
            pending_or = bool(query.groups)
            continue
        near = _NEAR_RE.fullmatch(word or "")
        if near and not negated and not field_name:
            if not query.groups:
                query.notes.append("“NEAR”前面没有词，已忽略。")
            else:
                pending_near = max(1, int(near[1] or NEAR_DISTANCE))
            continue
        found = (quoted if quoted is not None else word).strip()
        if not found or not any(ch.isalnum() for ch in found):
            continue
        term = Term(text=found, phrase=quoted is not None, in_title=field_name == "title")
        if negated:
            query.excluded.append(term)
        elif pending_near:
            before = query.groups[-1][-1]
            query.groups[-1][-1] = Term(f"{before.text} {term.text}", in_title=before.in_title, near=pending_near)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or, pending_near = False, 0
    if pending_or:
        query.notes.append("“OR”后面没有词，已忽略。")
    if pending_near:
        query.notes.append("“NEAR”后面没有词，已忽略。")
    query.refused = over_limits(query)
    return query


def over_limits(query: Query) -> str:
    """Which limit the query is over, said with what to type instead; empty when none."""
    terms = query.terms() + query.excluded
    if len(terms) > MAX_TERMS:
        return f"检索式超出限制：最多 {MAX_TERMS} 个词（这里有 {len(terms)} 个）。请删去一些词再检索。"
    quoted = [term for term in terms if term.phrase or term.near]
    if len(quoted) > MAX_QUOTED:
        return (f"检索式超出限制：最多 {MAX_QUOTED} 个引号或 NEAR 检索（这里有 {len(quoted)} 个）。"
                "请删去一些，或去掉引号按普通词语检索。")
    for term in quoted:
        length = len("".join(term.text.split()))
        if term.phrase and length > MAX_QUOTED_LENGTH:
            return (f"检索式超出限制：引号里最多 {MAX_QUOTED_LENGTH} 个字（“{term.text[:10]}…”有 {length} 个）。"
                    "请缩短引号里的字，或去掉引号。")
    return ""
