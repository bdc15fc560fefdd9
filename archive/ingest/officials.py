"""Police officials an article names, with the role it gives them: 三亚市副市长、公安局局长张兆腾."""

import re
from functools import cache

import jieba

from .draft import Official
from .gazetteer import Gazetteer
from .names import looks_like_name

# Posts that make someone an official; the role runs back from the post to the start of the clause.
_POSTS = (
    "副局长|局长|政委|副政委|教导员|副所长|所长|副支队长|支队长|副大队长|大队长|副队长|队长|"
    "副主任|主任|副书记|书记|负责人|副站长|站长|警长|副厅长|厅长|副处长|处长|副部长|部长|指导员"
)
_POLICE_WORDS = ("公安", "警", "派出所", "分局", "政法")
_ALWAYS_POLICE = ("所长", "警长", "政委", "教导员", "指导员")
# Characters that end a name: verbs of saying, particles, punctuation.
# What follows a name: verbs of saying and doing, particles, punctuation.
_AFTER_NAME_RE = re.compile(
    r"说|告诉|表示|介绍|接受|认为|称|强调|指出|坦言|透露|等|在|对|率|带领|带着|时|开|的|提出|是|就|也|和|与"
    r"|向|到|曾|从|将|把|被|让|为|同志|一行|亲自|多次|深入|主持|要求|[,。:;!?“”()、\s]|$"
)
# Parts of speech that are not names, in jieba's dictionary: adverbs, verbs, pronouns, numbers …
_NOT_NAME_TAGS = ("d", "v", "p", "c", "r", "m", "q", "u", "f", "t", "a")
_CLAUSE_START = re.compile(r"[,。:;!?“”()\n]|是|时任|现任|调任|担任|原任|曾任")
_ROLE_THEN_NAME = re.compile(rf"({_POSTS})([\u4e00-\u9fff]{{2,4}})")
# "该所所长": the unit is the one named before (所 a 派出所, 局 a 公安局 or 分局 …).
_THIS_UNIT_RE = re.compile(r"^该(所|分局|局|大队|支队|中队|站)")
_UNIT_WORDS = {"所": ("派出所",), "分局": ("分局",), "局": ("公安局", "分局"), "大队": ("大队",), "支队": ("支队",),
               "中队": ("中队",), "站": ("站",)}
_NAME_IS_ROLE = re.compile(rf"([\u4e00-\u9fff]{{2,3}})(?:是|调任|担任|现任)([^,。;:]{{2,30}}?(?:{_POSTS}))(?=[,。;后])")


@cache
def _words_not_names() -> frozenset[str]:
    """Two- and three-character words that jieba's dictionary tags as something other than a noun.

    Read from the dictionary file once: loading jieba's own tables would cost 170 MB per process.
    """
    found = set()
    with jieba.dt.get_dict_file() as lines:
        for line in lines:
            word, _frequency, *tag = line.decode("utf-8").split()
            if len(word) in (2, 3) and tag and tag[0].startswith(_NOT_NAME_TAGS):
                found.add(word)
    return frozenset(found)


def _name_at(text: str) -> str:
    """The name at the start of text: two or three characters, whichever is followed by a name's end.

    A word that jieba's dictionary knows as something other than a noun (马上, 全面) is no name.
    """
    for length in (2, 3):
        name = text[:length]
        if len(name) == length and _AFTER_NAME_RE.match(text, length):
            return "" if name in _words_not_names() else name
    return ""


def _is_police_role(role: str) -> bool:
    return any(word in role for word in _POLICE_WORDS) or role.endswith(_ALWAYS_POLICE)


def _clause_before(text: str, end: int) -> str:
    start = max(0, end - 40)
    window = text[start:end]
    cuts = [m.end() for m in _CLAUSE_START.finditer(window)]
    return window[cuts[-1] :] if cuts else window


def _unit_named_before(unit: str, roles: list[str]) -> str:
    """The unit "该所" refers to: the last one of its kind in an earlier official's role
    (余江县中童派出所副所长 → 余江县中童派出所); "" when none names one. Units named in running text
    alone are not guessed at: where such a name begins is not marked."""
    words = _UNIT_WORDS[unit]
    for role in reversed(roles):
        if ends := [role.rindex(word) + len(word) for word in words if word in role]:
            return role[: max(ends)]
    return ""


def _resolved(role: str, roles: list[str]) -> str:
    """A role with "该所"/"该局" replaced by the unit named before, where one is."""
    if (match := _THIS_UNIT_RE.match(role)) and (unit := _unit_named_before(match.group(1), roles)):
        return unit + role[match.end() :]
    return role


def find_officials(text: str, gazetteer: Gazetteer, default_place=None) -> list[Official]:
    """Officials in order of first mention; one entry per name, with the first (fullest) role."""
    found: dict[str, Official] = {}

    def add(name: str, role: str):
        role = role.strip("、 ")
        if not looks_like_name(name) or name in found or not _is_police_role(role) or len(role) < 2:
            return
        mentions = [m for m in gazetteer.find(role) if m.place.level != "province"]
        if mentions and mentions[0].start > 0 and gazetteer.get(role[: mentions[0].start]):
            role = role[mentions[0].start :]  # 海南三亚市副市长 -> 三亚市副市长: the city says where
        place = mentions[0].place if mentions else default_place
        found[name] = Official(name=name, role=role, place=place)

    for match in _ROLE_THEN_NAME.finditer(text):
        name = _name_at(text[match.start(2) : match.start(2) + 6])
        if name:
            role = _clause_before(text, match.end(1))
            add(name, _resolved(role, [official.role for official in found.values()]))
    for match in _NAME_IS_ROLE.finditer(text):
        add(match.group(1)[-3:] if looks_like_name(match.group(1)[-3:]) else match.group(1)[-2:], match.group(2))
    return list(found.values())
