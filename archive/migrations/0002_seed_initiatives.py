"""Seed the curated initiative list: the programmes named in the dumps and well-known national ones."""

import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify
from pypinyin import lazy_pinyin

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "initiatives.json"


def seed(apps, schema_editor):
    Initiative = apps.get_model("archive", "Initiative")
    InitiativeAlias = apps.get_model("archive", "InitiativeAlias")
    for entry in json.loads(SEED_FILE.read_text(encoding="utf-8")):
        slug = slugify("".join(lazy_pinyin(entry["name"])))
        if Initiative.objects.filter(slug=slug).exclude(name=entry["name"]).exists():
            slug = f"{slug}-{Initiative.objects.count() + 1}"
        initiative, _ = Initiative.objects.update_or_create(
            name=entry["name"],
            defaults={"slug": slug, "description": entry["description"], "confirmed": True},
        )
        for alias in entry["aliases"]:
            InitiativeAlias.objects.get_or_create(name=alias, defaults={"initiative": initiative})


def unseed(apps, schema_editor):
    Initiative = apps.get_model("archive", "Initiative")
    names = [entry["name"] for entry in json.loads(SEED_FILE.read_text(encoding="utf-8"))]
    Initiative.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
