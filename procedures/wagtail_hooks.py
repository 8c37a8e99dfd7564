from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from procedures.models import BusinessActivity, CompetentAuthority, EvidenceType


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
