from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.core import views as core_views
from portal.delivery import views as delivery_views

urlpatterns = [
    path("healthz", core_views.health, name="health"),
    path("as4", delivery_views.as4_endpoint, name="as4"),
    # Both admins sign in through allauth, so e-mail verification, rate limits and MFA apply to them.
    path("django-admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("django-admin/", admin.site.urls),
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("saml2/", include("portal.accounts.eidas_saml.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("cpsv/", include("procedures.cpsv_urls")),
]

if settings.DEBUG:
    # Public CMS media only; applicants' files live in the "private" storage, which has no URL.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("finder/", include("procedures.urls")),
    path("signing/", include("portal.signing.urls")),
    path("dossiers/", include("portal.submissions.urls")),
    path("dossiers/", include("portal.dossiers.urls")),
    path("backoffice/", include("portal.backoffice.urls")),
    path("", include(wagtail_urls)),
)
