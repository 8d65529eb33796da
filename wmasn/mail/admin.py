"""The chair sees every outgoing email, retries failed ones and clears bouncing addresses;
and what the inbound mailbox brought."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from wmasn.jobs.admin import ReadOnlyAdmin

from . import delivery
from .inbox import reader
from .models import BouncedAddress, InboundMessage, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "subject",
        "state",
        "attempts",
        "next_try",
        "short_reply",
        "sent_at",
    ]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["recipient", "content__subject"]
    list_select_related = ["content"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "recipient",
        "subject",
        "state",
        "attempts",
        "next_try_at",
        "last_reply",
        "created_at",
        "sent_at",
        "text",
    ]
    readonly_fields = ["subject", "text"]
    actions = ["retry", "clear_suppression"]

    def get_queryset(self, request):
        # The list shows the subject only; an issue's text is not fetched once per row.
        return super().get_queryset(request).defer("content__text", "content__html")

    @admin.display(description="Subject", ordering="content__subject")
    def subject(self, email):
        return email.content.subject

    @admin.display(description="Text")
    def text(self, email):
        return format_html("<pre>{}</pre>", email.content.text)

    @admin.display(description="Next try", ordering="next_try_at")
    def next_try(self, email):
        if email.state != OutgoingEmail.State.PENDING:
            return "—"
        return email.next_try_at

    @admin.display(description="Last reply")
    def short_reply(self, email):
        return email.last_reply[:80]

    @admin.action(description="Send again (failed or suppressed emails)", permissions=["change"])
    def retry(self, request, queryset):
        count = delivery.retry(queryset)
        self.message_user(
            request,
            f"{count} email(s) are being sent again. Emails to a suppressed address stay "
            "suppressed until that address is cleared.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Clear these recipients' bounces and send their suppressed emails",
        permissions=["change"],
    )
    def clear_suppression(self, request, queryset):
        clear_addresses(self, request, queryset.values_list("recipient", flat=True))


def clear_addresses(model_admin, request, addresses):
    cleared = delivery.clear_suppression(addresses)
    model_admin.message_user(request, f"{cleared} address(es) cleared.", messages.SUCCESS)


@admin.register(BouncedAddress)
class BouncedAddressAdmin(ReadOnlyAdmin):
    list_display = ["address", "suppressed", "permanent_failures", "last_reply", "last_failed_at"]
    search_fields = ["address"]
    actions = ["clear"]

    @admin.display(boolean=True, description="Suppressed")
    def suppressed(self, address):
        return address.is_suppressed

    @admin.action(description="Clear: mail to these addresses again", permissions=["change"])
    def clear(self, request, queryset):
        clear_addresses(self, request, queryset.values_list("address", flat=True))


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """What the inbound mailbox brought: answers, bounces, auto-replies, people's words."""

    list_display = [
        "received_at",
        "kind",
        "outcome",
        "sender",
        "subject",
        "dealt_with_at",
        "short_reason",
    ]
    list_filter = ["kind", "outcome", "dealt_with_at", "received_at"]
    actions = ["mark_dealt_with"]
    search_fields = ["sender", "subject"]
    date_hierarchy = "received_at"
    fields = [
        "received_at",
        "kind",
        "outcome",
        "reason",
        "sender",
        "subject",
        "message_id",
        "user",
        "outgoing_email",
        "about_link",
        "text",
        "dealt_with_at",
    ]
    readonly_fields = ["about_link"]
    list_select_related = ["user"]

    def changelist_view(self, request, extra_context=None):
        if not reader.is_configured():
            self.message_user(
                request,
                "Replies are not read: INBOUND_IMAP_HOST is not set, so invitation answers, "
                "bounces and members' replies to the portal's emails go unread "
                "(docs/deployment.md, 'The inbound mailbox').",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description="Mark as dealt with (off the chair's desk)", permissions=["change"])
    def mark_dealt_with(self, request, queryset):
        marked = queryset.filter(dealt_with_at__isnull=True).update(dealt_with_at=timezone.now())
        self.message_user(request, f"{marked} message(s) marked as dealt with.", messages.SUCCESS)

    @admin.display(description="Reason")
    def short_reason(self, message):
        return message.reason[:100]

    @admin.display(description="About")
    def about_link(self, message):
        about = message.about
        if about is None:
            return "—"
        url = about.get_absolute_url() if hasattr(about, "get_absolute_url") else ""
        return format_html('<a href="{}">{}</a>', url, about) if url else str(about)
