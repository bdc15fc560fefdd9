"""Candidate initiatives in the database: the mentions the import keeps, rescoring, and review.

The texts' evidence for a candidate is kept in `Initiative.evidence`: the strongest mentions, one
per article. Which articles name it are its links; rescoring reads both and asks ingest.discovery.
"""

from django.db import transaction

from .ingest.discovery import Mention, Occurrence, mention_form, score_names
from .models import Article, Initiative, InitiativeAlias

KEPT_MENTIONS = 5  # per candidate: enough for the reviewer and for the score (the best mention counts)


def _mention(name: str, entry: dict) -> Mention:
    return Mention(name, entry["sentence"], entry["quoted"], entry["launched"], entry["described"], entry["count"])


def _ranked(name: str, entries: list[dict]) -> list[dict]:
    """The strongest mentions first; equally strong ones by sentence, so that no order of import shows."""
    return sorted(entries, key=lambda e: (-mention_form(_mention(name, e)), e["sentence"], e["article"]))


def keep_mention(initiative: Initiative, article_id: int, mention: Mention) -> bool:
    """Add one article's mention to a candidate's evidence; False when it was not among the strongest."""
    entries = [entry for entry in initiative.evidence if entry["article"] != article_id]
    entries.append({"article": article_id, **mention.as_dict()})
    kept = _ranked(initiative.name, entries)[:KEPT_MENTIONS]
    if kept == initiative.evidence:
        return False
    initiative.evidence = kept
    return True


@transaction.atomic
def rescore_candidates() -> int:
    """Score every candidate anew from the canonical articles that name it (done at the end of an import).

    A candidate no article names any more is deleted, unless a person rejected it: a rejection is
    kept so that no later import proposes the name again. Returns how many candidates remain.
    """
    candidates = {c.pk: c for c in Initiative.objects.filter(confirmed=False, rejected=False)}
    links = (
        Article.initiatives.through.objects.filter(initiative__in=candidates.keys(),
                                                   article__near_duplicate_of__isnull=True)
        .values_list("initiative_id", "article_id", "article__city__name")
    )
    cities: dict[int, dict[int, str]] = {pk: {} for pk in candidates}
    for initiative_id, article_id, city in links:
        cities[initiative_id][article_id] = city or ""
    unlinked = [pk for pk, linked in cities.items() if not linked]
    Initiative.objects.filter(pk__in=unlinked).delete()
    occurrences = []
    for pk, linked in cities.items():
        candidate = candidates[pk]
        candidate.evidence = [entry for entry in candidate.evidence if entry["article"] in linked]
        mentions = {entry["article"]: _mention(candidate.name, entry) for entry in candidate.evidence}
        # An article whose mention is not among the kept ones still counts for recurrence.
        occurrences += [Occurrence(article, city, mentions.get(article, Mention(candidate.name, "")))
                        for article, city in linked.items()]
    scored = score_names(occurrences)
    rescored = [candidates[pk] for pk, linked in cities.items() if linked]
    for candidate in rescored:
        candidate.score = scored[candidate.name].score
    Initiative.objects.bulk_update(rescored, ["score", "evidence"])
    return len(rescored)


def evidence_summary(initiative: Initiative) -> dict:
    """What a reviewer reads: the strongest sentences, and how many articles and cities name it."""
    articles = Article.objects.canonical().filter(initiatives=initiative)
    cities = sorted(set(articles.exclude(city=None).values_list("city__name", flat=True)))
    return {
        "sentences": [(entry["article"], entry["sentence"]) for entry in initiative.evidence],
        "article_count": articles.count(),
        "cities": cities,
    }


@transaction.atomic
def confirm(initiatives) -> int:
    count = 0
    for initiative in initiatives:  # saved one by one: the articles naming it are indexed anew
        initiative.confirmed, initiative.rejected = True, False
        initiative.save(update_fields=["confirmed", "rejected"])
        count += 1
    return count


@transaction.atomic
def reject(initiatives) -> int:
    """Not a programme's name: unlinked everywhere, and kept as rejected so that no import links it again."""
    count = 0
    for initiative in initiatives:
        initiative.articles.clear()
        initiative.confirmed, initiative.rejected, initiative.evidence, initiative.score = False, True, [], 0
        initiative.save(update_fields=["confirmed", "rejected", "evidence", "score"])
        count += 1
    return count


@transaction.atomic
def merge_as_alias(target: Initiative, others) -> None:
    """Other names of the same programme: their articles and evidence become the target's, their names
    its aliases (so that later imports file them under it)."""
    others = [other for other in others if other.pk != target.pk]
    if not target.confirmed:
        entries = target.evidence + [entry for other in others for entry in other.evidence]
        by_article = {}
        for entry in _ranked(target.name, entries):
            by_article.setdefault(entry["article"], entry)
        target.evidence = list(by_article.values())[:KEPT_MENTIONS]
        target.save(update_fields=["evidence"])
    target.merge(others)
    rescore_candidates()


def alias_targets() -> dict[str, str]:
    """Each alias of a candidate, mapped to the candidate's name (confirmed ones the matcher knows)."""
    return dict(InitiativeAlias.objects.filter(initiative__confirmed=False).values_list("name", "initiative__name"))
