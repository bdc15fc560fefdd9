"""The query language, parsed without Django or the index.

    三亚 路长制            both words (AND)
    "警务 广场"            a phrase
    路长制 OR 警保联控      either
    -交警                  not this word
    title:公安             in the headline only (title:"…" too)

Anything else — unbalanced quotes, a lone operator, control characters, markup — is read as
plain words. Nothing here raises on any input.
"""

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200  # characters kept of a query; longer input is cut, not refused
MAX_TERMS = 16

_TOKEN_RE = re.compile(r'(-?)(?:(title):)?(?:"([^"]*)"|(\S+))')
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    in_title: bool = False


@dataclass
class Query:
    """Groups that must all match; each group is a list of alternatives (OR)."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.groups and not self.excluded

    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def clean(raw: str) -> str:
    text = _CONTROL_RE.sub(" ", raw or "")[:MAX_QUERY_LENGTH]
    if text.count('"') % 2:  # an unbalanced quote is not a phrase
        text = text.replace('"', " ")
    return text.strip()


def parse(raw: str) -> Query:
    query = Query()
    pending_or = False
    for match in _TOKEN_RE.finditer(clean(raw)):
        negated, field_name, quoted, word = match.groups()
        if word == "OR" and not negated and not field_name:
            pending_or = bool(query.groups)
            continue
        text = (quoted if quoted is not None else word).strip()
        if not text or not any(ch.isalnum() for ch in text):
            continue
        term = Term(text=text, phrase=quoted is not None, in_title=field_name == "title")
        if negated:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
        if len(query.terms()) + len(query.excluded) >= MAX_TERMS:
            break
    if not query.groups:
        query.excluded = []  # excluding alone would mean "everything but": not a search
    return query
