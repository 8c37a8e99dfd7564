from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.models import OutgoingEmail, WorkerHeartbeat
from portal.core.tasks import send_email


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "recipients", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["subject", "recipients"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send again (the same message)"), permissions=["view"])
    def send_again(self, request, queryset):
        ids = list(queryset.exclude(state=OutgoingEmail.State.SENT).values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=ids).update(state=OutgoingEmail.State.PENDING)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: send_email.delay(str(pk)))
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]
    readonly_fields = ["hostname", "seen_at"]
