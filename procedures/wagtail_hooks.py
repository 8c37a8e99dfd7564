from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.core.page_cache import allow_anonymous_caching
from procedures.models import BusinessActivity, CompetentAuthority, EvidenceType, ProcedurePage
from procedures.views import JSON_LD, procedure_json_ld


class CompetentAuthorityViewSet(SnippetViewSet):
    model = CompetentAuthority
    icon = "group"
    list_display = ["name", "identifier", "delivery_transport", "locale"]
    list_filter = ["delivery_transport", "locale"]
    search_fields = ["name"]


class EvidenceTypeViewSet(SnippetViewSet):
    model = EvidenceType
    icon = "doc-full"
    list_display = ["name", "identifier", "locale"]
    list_filter = ["locale"]


class BusinessActivityViewSet(SnippetViewSet):
    model = BusinessActivity
    icon = "tag"
    list_display = ["name", "nace_code", "locale"]
    list_filter = ["nace_section", "locale"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    items = (CompetentAuthorityViewSet, EvidenceTypeViewSet, BusinessActivityViewSet)
    menu_icon = "list-ul"
    menu_label = _("Catalogue")
    menu_name = "catalogue"


register_snippet(CatalogueViewSetGroup)


@hooks.register("before_serve_page")
def serve_procedure_as_json_ld(page, request, serve_args, serve_kwargs):
    """Content negotiation on a procedure page: ``Accept: application/ld+json`` (preferred over
    HTML) gets the procedure's CPSV-AP JSON-LD in the page's language."""
    if isinstance(page, ProcedurePage) and request.get_preferred_type(["text/html", JSON_LD]) == JSON_LD:
        response = allow_anonymous_caching(procedure_json_ld(page))
        patch_vary_headers(response, ["Accept"])
        return response
    return None
