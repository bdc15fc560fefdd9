"""Named policing initiatives: matching the curated list (new names are found by discovery.py).

The curated list lives in the database (editable in the admin); the importer hands its names and
aliases in as a plain mapping, so this module stays free of Django.
"""

import re
from collections import Counter
from functools import cached_property


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

    def begins_a_name(self, phrase: str) -> bool:
        """Is this the start of a name we know, as “5+2” is of “5+2”警务模式?"""
        return any(name.startswith(phrase) for name in self.names)
