from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.delivery.models import DeliveryAttempt, InboxMessage, InboxPayload, OutboxMessage


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "body_sha256", "http_status", "outcome", "error_code", "error"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "message_id",
        "partner",
        "action",
        "state",
        "remote_status",
        "attempts",
        "last_error_code",
    ]
    list_filter = ["state", "pmode"]
    search_fields = ["message_id", "reference", "conversation_id", "partner"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Resend (the same bytes, the same MessageId)"), permissions=["view"])
    def resend(self, request, queryset):
        from portal.delivery.services import resend

        count = resend(queryset.filter(state=OutboxMessage.State.FAILED))
        self.message_user(
            request,
            ngettext("%d failed message queued again.", "%d failed messages queued again.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )


class InboxPayloadInline(admin.TabularInline):
    model = InboxPayload
    extra = 0
    can_delete = False
    readonly_fields = ["content_id", "mime_type", "size", "sha256", "file"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "message_id", "from_party", "action", "handled_by", "handler_error"]
    list_filter = ["pmode", "action"]
    search_fields = ["message_id", "conversation_id", "from_party"]
    readonly_fields = [field.name for field in InboxMessage._meta.fields]
    inlines = [InboxPayloadInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
