"""Named policing initiatives: matching the curated list, and discovering new candidates.

The curated list lives in the database (editable in the admin); the importer hands its names and
aliases in as a plain mapping, so this module stays free of Django.
"""

import re
from collections import Counter
from functools import cached_property

# Endings that mark a quoted phrase as the name of a programme: “路长制”, “飞鹭支队”, “护瓜行动”.
CANDIDATE_ENDINGS = (
    "制", "模式", "经验", "警务", "行动", "机制", "工程", "战略", "支队", "平台", "工作法", "联控",
    "联防", "计划", "体系", "突击队", "巡逻队", "服务站",
)
_QUOTED_RE = re.compile(r"“([\u4e00-\u9fff0-9A-Za-z+]{2,12})”((?:工作|新型|民生)?(?:警务)?(?:模式|机制|警务))?")


class InitiativeMatcher:
    """Finds the curated initiatives in simplified text. `names` maps each name or alias to its initiative."""

    def __init__(self, names: dict[str, str]):
        self.names = {name: canonical for name, canonical in names.items() if len(name) >= 2}

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        """Longest names first, so 智慧路长制 is not read as 路长制 (compiled when first needed)."""
        by_length = sorted(self.names, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, by_length))) if by_length else None

    def find(self, text: str) -> list[str]:
        """Canonical names, most mentioned first (ties in order of first mention)."""
        if not self._pattern:
            return []
        counts = Counter(self.names[m.group(0)] for m in self._pattern.finditer(text))
        return [name for name, _ in counts.most_common()]

    def knows(self, phrase: str) -> bool:
        return phrase in self.names


def discover_candidates(text: str, matcher: InitiativeMatcher, place_names: set[str]) -> list[str]:
    """Quoted names with a programme's typical ending that the curated list does not know yet."""
    found = []
    for match in _QUOTED_RE.finditer(text):
        quoted, following = match.group(1), match.group(2) or ""
        # “五小”民生警务, “5+2”警务模式: the words after the quotes belong to the name.
        name = quoted + following if following and not quoted.endswith(CANDIDATE_ENDINGS) else quoted
        if not name.endswith(CANDIDATE_ENDINGS) or len(name) < 3:
            continue
        if matcher.knows(name) or matcher.knows(quoted) or quoted in place_names or name in found:
            continue
        found.append(name)
    return found
