from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.http import urlencode

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """Links to this page in each portal language (no form, no CSRF token, so public pages stay
    cacheable), through the view that remembers the choice: a CMS page goes to its own translation,
    or to that language's home page where it has none; any other view to the same URL, query string
    kept, under the other prefix."""
    request = context["request"]
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    page = context.get("page")
    translations = {}
    if getattr(page, "pk", None) and hasattr(page, "get_translations"):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation.get_url(request)
    links = []
    for code, name in settings.LANGUAGES:
        if page is not None and translations:
            url = translations.get(code) or f"/{code}/"
        else:
            here = request.get_full_path()
            url = translate_url(here, code)
            if url == here and code != current:  # not a URL of ours (a 404 page): that language's home
                url = f"/{code}/"
        switch = f"{reverse('set_language')}?{urlencode({'language': code, 'next': url})}"
        links.append(LanguageLink(code, name, switch, code == current))
    return links
