"""New initiatives found in the texts themselves: per article, the names a text gives to
programmes; across the archive, a score for each name from all the places it occurs.

Pure: the importer hands in what it knows (curated names, place names, where each article is filed).
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from .initiatives import InitiativeMatcher

NAME_LENGTH = 60  # Initiative.name's max_length: longer phrases are never names
_HAN = "\u4e00-\u9fff"

# Endings that mark a phrase as the name of a programme, squad, facility or working method.
# A quoted phrase with any of them is a candidate; outside quotes only DISTINCT_ENDINGS are read,
# as 行动, 机制, 模式 end too many plain phrases of news prose (集中整治行动, 长效机制).
DISTINCT_ENDINGS = (
    "进万家", "小分队", "服务日", "艺术团", "宣讲团", "警务室", "工作室", "调解室", "直通车", "工作法",
    "突击队", "巡逻队", "服务队", "志愿队", "车管所", "长制", "工作制",
)
ENDINGS = DISTINCT_ENDINGS + (
    "行动", "机制", "模式", "工程", "警务", "经验", "支队", "联控", "联防", "联勤", "计划", "体系", "战略",
    "服务站", "工作站", "驿站", "之家", "基金", "热线", "品牌", "中心", "平台",
)
# A tail that completes a quoted name: “五小”民生警务, “5+2”新型警务模式, “邮箱”管理流动人口新模式,
# “百姓警长”工作室, “红袖标”巡逻队.
_JOINING_ENDINGS = (
    "警务", "模式", "机制", "工程", "行动", "工作法", "工作室", "调解室", "警务室", "巡逻队", "服务队", "志愿队",
    "突击队", "小分队", "服务站", "工作站",
)
# Words in the clause after a name that call it a programme: “大走访”开门评警活动.
_DESCRIBED = re.compile(
    r"^[^,，。;；!！?？:：、“”\"「」]{0,20}?(?:机制|模式|活动|工作法|战略|举措|品牌|工程|行动|格局)"
)
# Verbs that launch a programme, just before its name: 开展“护瓜行动”, 组建了“警官艺术团”.
_LAUNCH = re.compile(
    r"(?:开展|推行|实施|推出|建立|组建|成立|设立|创建|创新|创设|启动|打造|开通|推广|探索|深化|实行|施行|"
    r"举办|发起|办好|首创|独创)(?:了|起|出)?(?:一支|一个|一项|一批|一辆|首个)?$"
)
_QUOTED = re.compile(rf"[“「\"]([{_HAN}0-9A-Za-z+·]{{2,12}})[”」\"]")
_TAIL = re.compile(rf"[{_HAN}]{{0,8}}?(?:{'|'.join(_JOINING_ENDINGS)})")
_TAIL_STOPS = set("的和与及等了是在为将把从对向以由")
_UNQUOTED = re.compile(rf"([{_HAN}0-9]{{1,12}}?)({'|'.join(sorted(DISTINCT_ENDINGS, key=len, reverse=True))})")
# Where an unquoted name begins: after the last of these (particles, launch verbs, the unit that runs it).
_NAME_START = re.compile(
    r".*(?:[的了把将在和与及是为以由等这那该其并向对从到让使被给于之也都就又还即第首唯]|[一二三四五六七八九十两几0-9]+[个支辆名家座条项种次位批所]|"
    r"开展|推行|实施|推出|建立|组建|成立|设立|创建|创新|创设|启动|打造|开通|推广|实行|施行|举办|参与|参加|践行|推进|"
    r"落实|坚持|完善|学习|借鉴|"
    r"正式|全面|积极|大力|深入|率先|派出所|公安局|分局|公安|大队|警方|民警|辖区|全国|全省|全市)"
)
_HAN_RE = re.compile(f"[{_HAN}]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
_CLAUSE_PUNCTUATION = re.compile(r"[,，。;；!！?？:：、()（）《》—…\s]")

# Phrases with a programme's ending that name no programme: the ending with a common modifier.
GENERIC_MODIFIERS = {
    "", "专项", "工作", "长效", "新", "新型", "联动", "集中整治", "综合治理", "创新", "管理", "服务", "防控",
    "保障", "协调", "运行", "考核", "联席", "责任", "社区", "企业", "村居", "农村", "校园", "安全", "整治",
    "打击", "巡逻", "联合", "常态化", "长效工作", "工作新", "民生", "惠民", "平安", "治安", "交通",
    "监督", "调处", "矛盾调处", "应急", "信息", "网络", "宣传", "教育", "防范", "基层", "这次", "此次", "各项",
}
GENERIC_NAMES = {"安全感", "满意度", "最后一公里", "警民一家", "为民服务", "群众路线", "警务机制", "警务模式"}

# How much each kind of evidence adds to a name's score (see score_names).
_WEIGHTS = {"distinct_ending": 0.1, "ending": 0.4, "quoted": 0.3, "launched": 0.15, "described": 0.25, "repeated": 0.1}
_PER_EXTRA_ARTICLE, _PER_EXTRA_CITY = 0.08, 0.06
_SPREAD_LIMIT = 0.3  # recurrence raises a score by this at most
_GENERIC_FACTOR = 0.3
_NO_ENDING_LIMIT = 0.55  # a phrase that neither ends nor is described like a programme stays below this
EVIDENCE_SENTENCES = 3
# Candidates scoring this or more are shown on pages and facets, marked 未确认, until a person reviews
# them. Set on the labelled names in tests/test_discovery.py (programme names against generic phrases
# and slogans): there no slogan or common phrase scores above 0.45, an unquoted name with a distinct
# ending in two articles scores 0.58; 0.55 keeps precision at 0.85 or more with a margin.
SHOWN_SCORE = 0.55


@dataclass(frozen=True)
class Mention:
    """One name as one article gives it: the sentence that shows it best, and how the text treats it."""

    name: str
    sentence: str
    quoted: bool = False
    launched: bool = False  # just after a verb that launches a programme
    described: bool = False  # its clause calls it a 机制, 模式, 活动…
    count: int = 1  # how many times the article names it

    def as_dict(self) -> dict:
        return {"sentence": self.sentence, "quoted": self.quoted, "launched": self.launched,
                "described": self.described, "count": self.count}


@dataclass(frozen=True)
class Occurrence:
    """A mention in a given article, filed under a city (or none), as the corpus scorer takes it."""

    article: int
    city: str
    mention: Mention


@dataclass(frozen=True)
class Scored:
    name: str
    score: float
    articles: int
    cities: tuple[str, ...]
    sentences: tuple[tuple[int, str], ...]  # (article id, sentence), the strongest first


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _quoted_names(sentence: str):
    """(name, quoted words, start, end) for each quoted phrase, with a tail that completes its name."""
    for match in _QUOTED.finditer(sentence):
        name, end = match.group(1), match.end()
        tail = _TAIL.match(sentence, end)
        if tail and not _TAIL_STOPS & set(tail.group(0)) and not name.endswith(ENDINGS):
            words = tail.group(0)
            if following := re.match("|".join(_JOINING_ENDINGS), sentence[tail.end():]):  # 警务 + 模式
                words += following.group(0)
            ending = next(e for e in sorted(_JOINING_ENDINGS, key=len, reverse=True) if words.endswith(e))
            name += words[: -len(ending)].replace("新型", "").removesuffix("新") + ending
            end += len(words)
        yield name, match.group(1), match.start(), end


def _unquoted_names(sentence: str):
    for match in _UNQUOTED.finditer(_QUOTED.sub(lambda m: "“" * len(m.group(0)), sentence)):
        prefix = match.group(1)
        if start := _NAME_START.match(prefix):
            prefix = prefix[start.end():]
        if len(prefix) >= 2:
            yield prefix + match.group(2), "", match.end() - len(prefix) - len(match.group(2)), match.end()


def _is_new_name(name: str, quoted: str, place_names: set[str], matcher: InitiativeMatcher) -> bool:
    """Not a place, nor a name the list knows, nor a known name with words after it (“阳光调解”工作模式)."""
    bare = next((name[: -len(e)] for e in ENDINGS if name.endswith(e)), name)
    if len(_HAN_RE.findall(name)) < 2 or len(name) > NAME_LENGTH or {name, bare, quoted} & place_names:
        return False
    if not quoted and matcher.find(name):  # 践行路长制: a known name with the words before it
        return False
    return not any(matcher.knows(words) for words in (name, bare, quoted)) and not matcher.begins_a_name(name)


def find_mentions(text: str, matcher: InitiativeMatcher, place_names: set[str]) -> list[Mention]:
    """The names an article gives to programmes that the curated list does not know, each once,
    in order of first mention (`text` is simplified: title and body)."""
    found: dict[str, dict] = {}
    for sentence in _sentences(text):
        for name, quoted_words, start, end in [*_quoted_names(sentence), *_unquoted_names(sentence)]:
            if not _is_new_name(name, quoted_words, place_names, matcher):
                continue
            quoted = bool(quoted_words)
            launched = bool(_LAUNCH.search(sentence[:start]))
            described = bool(_DESCRIBED.match(sentence[end:]))
            strength = (name.endswith(ENDINGS), quoted, launched, described)
            seen = found.setdefault(name, {"count": 0, "strength": (), "sentence": ""})
            seen["count"] += 1
            seen.update(quoted=seen.get("quoted", False) or quoted, launched=seen.get("launched", False) or launched,
                        described=seen.get("described", False) or described)
            if strength > seen["strength"]:
                seen["strength"], seen["sentence"] = strength, _around(sentence, start, end)
    return [Mention(name, seen["sentence"], seen["quoted"], seen["launched"], seen["described"], seen["count"])
            for name, seen in found.items()]


def _around(sentence: str, start: int, end: int, width: int = 60) -> str:
    """The sentence, or as much of it around the name as a reader needs."""
    if len(sentence) <= 2 * width + (end - start):
        return sentence
    return "…" + sentence[max(0, start - width): end + width] + "…"


def is_generic(name: str) -> bool:
    """Is this an ending with a common modifier (专项行动, 工作机制, 社区警务室) rather than a name?"""
    if name in GENERIC_NAMES or _CLAUSE_PUNCTUATION.search(name):
        return True
    ending = next((e for e in sorted(ENDINGS, key=len, reverse=True) if name.endswith(e)), None)
    return ending is not None and name[: -len(ending)] in GENERIC_MODIFIERS


def score_names(occurrences: list[Occurrence]) -> dict[str, Scored]:
    """Each name's score in [0, 1] and its evidence, from all the articles that mention it.

    The score depends only on the set of occurrences, never on their order: the form is the best
    that any one article gives the name, and recurrence counts distinct articles and cities.
    """
    by_name: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_name[occurrence.mention.name].append(occurrence)
    return {name: _score(name, found) for name, found in by_name.items()}


def mention_form(mention: Mention) -> float:
    """How much one article's way of naming it says the name is a programme's."""
    evidence = {
        "distinct_ending": mention.name.endswith(DISTINCT_ENDINGS),
        "ending": mention.name.endswith(ENDINGS),
        "quoted": mention.quoted,
        "launched": mention.launched,
        "described": mention.described,
        "repeated": mention.count > 1,
    }
    form = sum(weight for kind, weight in _WEIGHTS.items() if evidence[kind])
    return form if evidence["ending"] or mention.described else min(form, _NO_ENDING_LIMIT)


def _score(name: str, found: list[Occurrence]) -> Scored:
    strongest = sorted(found, key=lambda o: (-mention_form(o.mention), o.article, o.mention.sentence))
    articles = {o.article for o in found}
    cities = tuple(sorted({o.city for o in found if o.city}))
    spread = min(_SPREAD_LIMIT, _PER_EXTRA_ARTICLE * (len(articles) - 1) + _PER_EXTRA_CITY * max(0, len(cities) - 1))
    score = min(1.0, mention_form(strongest[0].mention) + spread)
    if not name.endswith(ENDINGS) and not any(o.mention.described for o in found):
        score = min(score, _NO_ENDING_LIMIT)  # recurrence alone does not make a slogan a programme
    if is_generic(name):
        score *= _GENERIC_FACTOR
    sentences = tuple((o.article, o.mention.sentence) for o in strongest[:EVIDENCE_SENTENCES] if o.mention.sentence)
    return Scored(name, round(score, 3), len(articles), cities, sentences)
