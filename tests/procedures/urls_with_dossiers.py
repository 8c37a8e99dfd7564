"""The portal's URLs plus a stand-in for the dossier building block's start URL."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns


def start(request):
    return HttpResponse(",".join(request.POST.getlist("procedure")))


urlpatterns = [
    path("dossiers/", include(([path("start/", start, name="start")], "dossiers"))),
    *portal_urlpatterns,
]
