"""The finder at national scale: 10 000 procedures x 3 languages and 2 000 activities x 3 languages.

Generated in bulk on top of the demo catalogue, the way a migration from a legacy register would load
them: page rows inserted with their tree paths computed (treebeard materialised path), the
procedure rows copied from a demo procedure of the same language (real StreamField content: steps,
evidence, fees, form), rules drawn at random over the generated activities, and the applicability
index filled with the same `ApplicabilityIndexEntry.entries_for` a publish uses.

Measured in-process through the full Django stack (test client): the finder checklist (target p95 <
100 ms) and the activity type-ahead fragment (target p95 < 50 ms); the baseline is the home page
measured the same way, and the finder's selection alone is compared with evaluating every page's
rules in Python (what the finder did before the index).

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/bench_catalogue_scale.py [--procedures 10000] [--activities 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["STORAGE_ROOT"] = tempfile.mkdtemp(prefix="psc-bench-scale-")
os.environ.pop("DATABASE_URL", None)

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Locale, Page  # noqa: E402

from procedures.choices import LEGAL_FORMS  # noqa: E402
from procedures.finder import applicable_procedures, procedure_applies  # noqa: E402
from procedures.models import (  # noqa: E402
    ApplicabilityIndexEntry,
    BusinessActivity,
    ProcedureIndexPage,
    ProcedurePage,
    normalise_search_text,
)
from procedures.selectors import live_procedures  # noqa: E402
from tests.procedures.helpers import answers  # noqa: E402

LANGUAGES = ("en", "fr", "de")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's MP_Node alphabet, steplen 4
# NACE rev. 2 divisions to sections (the ranges of the classification)
SECTIONS = [(3, "A"), (9, "B"), (33, "C"), (35, "D"), (39, "E"), (43, "F"), (47, "G"), (53, "H"), (56, "I"),
            (63, "J"), (66, "K"), (68, "L"), (75, "M"), (82, "N"), (84, "O"), (85, "P"), (88, "Q"), (93, "R"),
            (96, "S"), (98, "T"), (99, "U")]  # fmt: skip
WORDS = {
    "en": [
        "repair",
        "wholesale",
        "retail",
        "bakery",
        "joinery",
        "plumbing",
        "tailoring",
        "printing",
        "cleaning",
        "transport",
        "consulting",
        "design",
        "catering",
        "brewing",
        "roofing",
        "painting",
        "welding",
        "hosting",
        "tutoring",
        "nursing",
    ],
    "fr": [
        "réparation",
        "grossiste",
        "détail",
        "boulangerie",
        "menuiserie",
        "plomberie",
        "couture",
        "imprimerie",
        "nettoyage",
        "transport",
        "conseil",
        "design",
        "traiteur",
        "brasserie",
        "toiture",
        "peinture",
        "soudure",
        "hébergement",
        "soutien",
        "soins",
    ],
    "de": [
        "Reparatur",
        "Großhandel",
        "Einzelhandel",
        "Bäckerei",
        "Tischlerei",
        "Klempnerei",
        "Schneiderei",
        "Druckerei",
        "Reinigung",
        "Transport",
        "Beratung",
        "Design",
        "Catering",
        "Brauerei",
        "Dachdeckerei",
        "Malerei",
        "Schweißerei",
        "Hosting",
        "Nachhilfe",
        "Pflege",
    ],
}
OBJECTS = {
    "en": [
        "furniture",
        "machines",
        "textiles",
        "food",
        "software",
        "vehicles",
        "buildings",
        "gardens",
        "events",
        "books",
    ],
    "fr": [
        "meubles",
        "machines",
        "textiles",
        "aliments",
        "logiciels",
        "véhicules",
        "bâtiments",
        "jardins",
        "événements",
        "livres",
    ],
    "de": [
        "Möbel",
        "Maschinen",
        "Textilien",
        "Lebensmittel",
        "Software",
        "Fahrzeuge",
        "Gebäude",
        "Gärten",
        "Veranstaltungen",
        "Bücher",
    ],
}


def section_of(code: str) -> str:
    division = int(code[:2])
    return next(section for last, section in SECTIONS if division <= last)


def generate_activities(count: int, rng: random.Random) -> list[str]:
    taken = set(BusinessActivity.objects.values_list("nace_code", flat=True))
    codes = sorted(
        rng.sample(
            [f"{d:02d}.{c:02d}" for d in range(1, 100) for c in range(11, 100) if c % 10], count + len(taken)
        )
    )
    codes = [code for code in codes if code not in taken][:count]
    rows = []
    for code in codes:
        key = uuid.uuid4()
        picks = (rng.randrange(len(WORDS["en"])), rng.randrange(len(OBJECTS["en"])))
        for language in LANGUAGES:
            locale = Locale.objects.get(language_code=language)
            name = f"{WORDS[language][picks[0]].capitalize()} {OBJECTS[language][picks[1]]} {code}"
            synonyms = f"{WORDS[language][(picks[0] + 7) % len(WORDS[language])]} {code}"
            rows.append(
                BusinessActivity(
                    nace_code=code, nace_section=section_of(code), name=name, synonyms=synonyms,
                    search_text=" " + normalise_search_text(f"{name} \n {synonyms}") + " ",
                    locale=locale, translation_key=key,
                )
            )  # fmt: skip
    BusinessActivity.objects.bulk_create(rows, batch_size=1000)
    return codes


def _base36(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = ALPHABET[digit] + text
    return text.rjust(4, "0")


def generate_procedures(count: int, codes: list[str], rng: random.Random) -> None:
    content_type = ContentType.objects.get_for_model(ProcedurePage)
    now = timezone.now()
    keys = [uuid.uuid4() for _ in range(count)]
    rules = []
    for _ in range(count):
        rule = {
            "activity_codes": ", ".join(rng.sample(codes, rng.randint(1, 3))),
            "provision": rng.choice(["any", "any", "establishment", "temporary"]),
            "legal_forms": rng.choice([[], [], rng.sample([c for c, _l in LEGAL_FORMS], 2)]),
            "employs_staff": rng.choice(["any", "any", "yes"]),
            "establishment_region": rng.choice(["any", "any", "eu_eea", "outside"]),
        }
        rules.append([rule])
    local_fields = [f for f in ProcedurePage._meta.local_concrete_fields if f.column != "page_ptr_id"]
    for language in LANGUAGES:
        locale = Locale.objects.get(language_code=language)
        catalogue = ProcedureIndexPage.objects.get(locale=locale)
        template = ProcedurePage.objects.filter(locale=locale, slug="craft-authorisation").get()
        first_child = catalogue.numchild + 1
        pages = [
            Page(
                title=f"{template.title} #{number}", draft_title=f"{template.title} #{number}",
                slug=f"generated-{number}", content_type=content_type, locale=locale, translation_key=keys[number],
                path=catalogue.path + _base36(first_child + number), depth=catalogue.depth + 1, numchild=0,
                url_path=f"{catalogue.url_path}generated-{number}/", live=True, has_unpublished_changes=False,
                first_published_at=now, last_published_at=now,
            )
            for number in range(count)
        ]  # fmt: skip
        Page.objects.bulk_create(pages, batch_size=1000)
        template_values = {
            f.column: f.get_db_prep_save(getattr(template, f.attname), connection) for f in local_fields
        }
        columns = ["page_ptr_id", *template_values]
        sql = (
            f"INSERT INTO {ProcedurePage._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from model metadata
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        rows = []
        for number, page in enumerate(pages):
            values = dict(template_values)
            values["sequence"] = 100 + number % 50
            values["summary"] = f"{template.summary} ({number})"
            values["applicability"] = ProcedurePage._meta.get_field("applicability").get_db_prep_save(
                [("rule", rules[number][0])], connection
            )
            rows.append([page.pk, *values.values()])
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        Page.objects.filter(pk=catalogue.pk).update(numchild=catalogue.numchild + count)
        ApplicabilityIndexEntry.objects.bulk_create(
            [entry for number, page in enumerate(pages) for entry in ApplicabilityIndexEntry.entries_for(page.pk, rules[number])],
            batch_size=2000,
        )  # fmt: skip


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return samples[len(samples) // 2] * 1000, samples[int(len(samples) * 0.95)] * 1000


def measure(client: Client, urls: list[str]) -> tuple[float, float]:
    for url in urls[:10]:
        assert client.get(url).status_code == 200, url
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    rng = random.Random(20261127)  # noqa: S311 - reproducible test data, not secrets

    call_command("migrate", verbosity=0)
    call_command("load_demo_catalogue", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    with transaction.atomic():
        codes = generate_activities(options.activities, rng)
        generate_procedures(options.procedures, codes, rng)
    generation = time.perf_counter() - started
    pages = ProcedurePage.objects.count()
    print(
        f"generated {options.procedures} procedures x {len(LANGUAGES)} languages and {options.activities} activities "
        f"x {len(LANGUAGES)} in {generation:.1f} s: {pages} procedure pages, "
        f"{BusinessActivity.objects.count()} activity rows, {ApplicabilityIndexEntry.objects.count()} index rows"
    )

    client = Client()
    checklists = []
    for _ in range(options.rounds):
        language = rng.choice(LANGUAGES)
        checklists.append(
            f"/{language}/finder/checklist/?activity={rng.choice(codes)}&provision={rng.choice(['establishment', 'temporary'])}"
            f"&country={rng.choice(['PT', 'US', 'FR'])}&legal_form={rng.choice([c for c, _l in LEGAL_FORMS])}"
            f"&employees={rng.choice([0, 2])}"
        )
    searches = []
    for _ in range(options.rounds):
        language = rng.choice(LANGUAGES)
        word = rng.choice(WORDS[language])
        searches.append(f"/{language}/finder/activities/?q={word[: rng.randint(3, len(word))]}")

    home_p50, home_p95 = measure(client, [f"/{rng.choice(LANGUAGES)}/" for _ in range(options.rounds)])
    finder_p50, finder_p95 = measure(client, checklists)
    search_p50, search_p95 = measure(client, searches)
    print(f"{'in-process, full stack':<34}{'p50 ms':>9}{'p95 ms':>9}{'p95 vs home':>13}{'target p95':>12}")
    print(f"{'home page (baseline)':<34}{home_p50:>9.1f}{home_p95:>9.1f}{'1.0x':>13}{'':>12}")
    print(
        f"{'finder checklist':<34}{finder_p50:>9.1f}{finder_p95:>9.1f}{finder_p95 / home_p95:>12.1f}x{'< 100 ms':>12}"
    )
    print(
        f"{'activity type-ahead':<34}{search_p50:>9.1f}{search_p95:>9.1f}{search_p95 / home_p95:>12.1f}x{'< 50 ms':>12}"
    )

    # the selection alone: indexed query against evaluating every live page's rules in Python
    locale = Locale.objects.get(language_code="en")
    samples = [
        answers(activity_code=code, activity_section=section_of(code), country="US")
        for code in rng.sample(codes, 20)
    ]
    indexed = []
    for answer in samples:
        start = time.perf_counter()
        found = applicable_procedures(answer, locale)
        indexed.append(time.perf_counter() - start)
    python = []
    for answer in samples[:3]:
        start = time.perf_counter()
        evaluated = [page for page in live_procedures(locale) if procedure_applies(page, answer)]
        python.append(time.perf_counter() - start)
        assert [page.pk for page in evaluated] == [page.pk for page in applicable_procedures(answer, locale)]
    indexed_p50, _ = percentiles(indexed)
    python_p50, _ = percentiles(python)
    print(
        f"selection for one answer ({len(found)} procedures): indexed {indexed_p50:.1f} ms, "
        f"rules evaluated in Python {python_p50:.0f} ms ({python_p50 / indexed_p50:.0f}x); same answers"
    )


if __name__ == "__main__":
    main()
