"""What changes a public page: every such change empties the anonymous page cache."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Locale, Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.core import page_cache


def _invalidate(**kwargs) -> None:
    page_cache.invalidate()


def _invalidate_for_catalogue_models(sender, **kwargs) -> None:
    if sender._meta.app_label == "procedures" or issubclass(sender, (Page, Site, Locale)):
        page_cache.invalidate()


def connect() -> None:
    page_published.connect(_invalidate, dispatch_uid="page-cache-published")
    page_unpublished.connect(_invalidate, dispatch_uid="page-cache-unpublished")
    post_page_move.connect(_invalidate, dispatch_uid="page-cache-moved")
    # page rows (saved directly or by a publish), snippets the pages show, sites and locales
    post_save.connect(_invalidate_for_catalogue_models, dispatch_uid="page-cache-post-save")
    post_delete.connect(_invalidate_for_catalogue_models, dispatch_uid="page-cache-post-delete")
