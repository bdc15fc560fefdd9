"""Officials as people: a name in a city (the same name in two cities is two people), gathered
from the officials each article names, with their roles over time.

No table of its own: the article rows are the evidence, and a person is found again by the slug
of the name and the city.
"""

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from .importer import pinyin_slug
from .ingest.script import to_simplified
from .models import Official


@dataclass
class Person:
    name: str
    city: str  # "" when the articles place the official in no city
    city_url: str
    slug: str = ""
    article_ids: set[int] = field(default_factory=set)
    roles: list[tuple[date | None, str, int]] = field(default_factory=list)  # (date, role, article id)

    @property
    def url(self) -> str:
        return reverse("archive:official", args=[self.slug])

    @property
    def article_count(self) -> int:
        return len(self.article_ids)

    def roles_over_time(self) -> list[tuple[date | None, str, int]]:
        """Each role with the first article giving it, earliest first (undated last)."""
        first: dict[str, tuple[date | None, str, int]] = {}
        for when, role, article in sorted(self.roles, key=lambda item: (item[0] is None, item[0] or date.max)):
            first.setdefault(role, (when, role, article))
        return list(first.values())


def people(name_contains: str = "") -> list[Person]:
    """Every official of canonical articles, most named first; `name_contains` in either script."""
    rows = (Official.objects.filter(article__near_duplicate_of__isnull=True).order_by()
            .values_list("name", "city__name", "city__slug", "role", "article_id", "article__published_on"))
    found: dict[tuple[str, str], Person] = {}
    for name, city, city_slug, role, article, published_on in rows:
        person = found.setdefault((name, city or ""), Person(
            name, city or "", reverse("archive:city", args=[city_slug]) if city_slug else ""))
        person.article_ids.add(article)
        person.roles.append((published_on, role, article))
    _give_slugs(found)  # from everyone, so that a person's address is the same in a filtered list
    wanted = to_simplified(name_contains.strip())
    chosen = [person for person in found.values() if not wanted or wanted in to_simplified(person.name)]
    return sorted(chosen, key=lambda person: (-person.article_count, person.name, person.city))


def _give_slugs(found: dict[tuple[str, str], Person]) -> None:
    taken: dict[str, int] = {}
    for (name, city), person in sorted(found.items()):
        base = f"{pinyin_slug(name)}-{pinyin_slug(city)}" if city else pinyin_slug(name)
        taken[base] = taken.get(base, 0) + 1
        person.slug = base if taken[base] == 1 else f"{base}-{taken[base]}"


def person_of_slug(slug: str) -> Person | None:
    return next((person for person in people() if person.slug == slug), None)
