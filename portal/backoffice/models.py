"""The back-office's own record of an application it works: who handles it and its time limits.

The application, its state and its correspondence belong to the dossiers block; a ``Case`` adds what
only the authority needs. It is kept in step with the application's state history by
``services.sync_case`` (on every state change and by the beat task), never edited by hand."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dossiers.models import Application


class Case(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="backoffice_case")
    # copied from the application's snapshot: every staff query filters on it
    authority_identifier = models.SlugField(max_length=100, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The clock (see clock.py): it starts on delivery and stops while the authority waits for the
    # applicant; both deadlines already include the time it stood still.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_stopped_since = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    tacit_approval_at = models.DateTimeField(null=True, blank=True)
    # the earlier of the two deadlines: the inbox is sorted by it
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # when the staff were warned that tacit approval is near (cleared when that time moves)
    tacit_warning_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"Case of application {self.application.public_id} at {self.authority_identifier}"
