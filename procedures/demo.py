"""Demo content for the embedded set-up: idempotent, safe to run on every start."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Locale, Page, Site

from procedures.models import HomePage

HOME_CONTENT = {
    "en": {
        "title": "Start your business here",
        "intro": (
            "Find every procedure that applies to the activity you plan, fill in one application for all of "
            "them, sign it electronically and we deliver it to each competent authority."
        ),
        "body": (
            "<h2>How it works</h2><ol><li>Tell us what you plan to do: we list the procedures, documents, fees "
            "and time limits that apply.</li><li>Fill in one dossier: what you enter once is reused for every "
            "authority.</li><li>Sign it with your electronic signature: we deliver it and keep the signed "
            "receipt as your proof.</li></ol>"
        ),
    },
    "fr": {
        "title": "Créez votre entreprise ici",
        "intro": (
            "Trouvez toutes les démarches qui s'appliquent à votre activité, remplissez un seul dossier pour "
            "toutes, signez-le électroniquement et nous le transmettons à chaque autorité compétente."
        ),
        "body": (
            "<h2>Comment ça marche</h2><ol><li>Décrivez votre projet : nous listons les démarches, documents, "
            "frais et délais applicables.</li><li>Remplissez un seul dossier : ce que vous saisissez une fois "
            "sert pour chaque autorité.</li><li>Signez-le avec votre signature électronique : nous le "
            "transmettons et conservons l'accusé de réception signé comme preuve.</li></ol>"
        ),
    },
    "de": {
        "title": "Gründen Sie Ihr Unternehmen hier",
        "intro": (
            "Finden Sie alle Verfahren für Ihre geplante Tätigkeit, füllen Sie einen einzigen Antrag für alle "
            "aus, unterschreiben Sie ihn elektronisch, und wir stellen ihn jeder zuständigen Behörde zu."
        ),
        "body": (
            "<h2>So funktioniert es</h2><ol><li>Sagen Sie uns, was Sie vorhaben: Wir nennen die Verfahren, "
            "Unterlagen, Gebühren und Fristen.</li><li>Füllen Sie ein Dossier aus: Was Sie einmal eingeben, "
            "gilt für jede Behörde.</li><li>Unterschreiben Sie elektronisch: Wir stellen zu und bewahren die "
            "signierte Empfangsbestätigung als Nachweis auf.</li></ol>"
        ),
    },
}


@transaction.atomic
def ensure_home_pages() -> dict[str, HomePage]:
    """One HomePage per configured language, translations of each other, and the default Site."""
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES
    }
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", locale=locales[settings.LANGUAGE_CODE])

    # Wagtail's own migration leaves a plain "Welcome to your new Wagtail site!" page: retire it.
    for stale in Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page)):
        stale.delete()

    default_locale = locales[settings.LANGUAGE_CODE]
    home = HomePage.objects.filter(locale=default_locale, depth=2).first()
    if home is None:
        home = root.add_child(instance=_home_page(settings.LANGUAGE_CODE, default_locale))
    pages = {settings.LANGUAGE_CODE: home}
    for code, locale in locales.items():
        if code == settings.LANGUAGE_CODE:
            continue
        translation = HomePage.objects.filter(translation_key=home.translation_key, locale=locale).first()
        if translation is None:
            translation = home.copy_for_translation(locale)
            for field, value in HOME_CONTENT.get(code, HOME_CONTENT["en"]).items():
                setattr(translation, field, value)
            translation.save_revision().publish()
        pages[code] = translation

    base_url = urlsplit(settings.PORTAL_BASE_URL)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = base_url.hostname or "localhost"
    site.port = base_url.port or (443 if base_url.scheme == "https" else 80)
    site.root_page = home
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()
    return pages


def _home_page(code: str, locale: Locale) -> HomePage:
    return HomePage(slug="home", locale=locale, **HOME_CONTENT[code])
