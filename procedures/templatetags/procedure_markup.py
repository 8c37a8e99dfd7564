"""What a procedure page's <head> says about it to search engines and the SDG "Your Europe" crawler."""

from django import template
from django.utils.safestring import SafeString

from procedures import markup

register = template.Library()


@register.simple_tag
def sdg_meta_tags(page) -> list[tuple[str, str]]:
    return markup.sdg_meta_tags(page)


@register.simple_tag
def government_service_json_ld(page) -> SafeString:
    return markup.government_service_json_ld(page)
