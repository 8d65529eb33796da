"""The chair writes, publishes and sends issues here; deliveries and their failures show."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from wmasn.admin_filters import chosen_only_filter, titled_filter
from wmasn.uploads import UploadAdmin

from . import emails, sending
from .forms import (
    IssueAdminForm,
    SectionAdminForm,
    SectionDocumentForm,
    SectionImageForm,
)
from .markdown import render_html
from .models import Delivery, Issue, Section, SectionDocument, SectionImage, Subscriber
from .services import draft_issue_from_portal, insert_action_progress

PUBLISH_PERMISSION = "newsletters.publish_issue"


def can_publish(request):
    return request.user.has_perm(PUBLISH_PERMISSION)


def locked_for(request, issue):
    """A published or scheduled issue is changed only by those who may publish."""
    return issue is not None and issue.status == Issue.Status.PUBLISHED and not can_publish(request)


class LockedWithIssue:
    """Inline permissions: a published issue's parts change only with the publish right."""

    def _issue(self, obj):
        return obj.issue if isinstance(obj, Section) else obj

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not locked_for(
            request, self._issue(obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not locked_for(
            request, self._issue(obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not locked_for(
            request, self._issue(obj)
        )


class SectionInline(LockedWithIssue, admin.StackedInline):
    model = Section
    form = SectionAdminForm
    extra = 1
    ordering = ["order", "pk"]
    fields = ["order", "heading", "body", "agency", "event", "files"]
    readonly_fields = ["files"]
    autocomplete_fields = ["agency", "event"]
    show_change_link = True

    def get_queryset(self, request):
        # Counted with the sections, not two queries for each.
        return (
            super()
            .get_queryset(request)
            .annotate(
                photo_count=Count("images", distinct=True),
                document_count=Count("documents", distinct=True),
            )
        )

    @admin.display(description="Photos and documents")
    def files(self, section):
        if not section.pk:
            return "Save the issue, then open the section to add photos and documents."
        url = reverse("admin:newsletters_section_change", args=[section.pk])
        return format_html(
            '{} photo(s), {} document(s). <a href="{}">Add or change them</a>',
            section.photo_count,
            section.document_count,
            url,
        )


class SectionImageInline(LockedWithIssue, admin.StackedInline):
    model = SectionImage
    form = SectionImageForm
    extra = 1
    fields = [
        "upload",
        "kept_upload",
        "thumbnail",
        "alt_text",
        "caption",
        "consent_confirmed",
        "order",
    ]
    readonly_fields = ["thumbnail"]
    verbose_name = "photo"
    verbose_name_plural = "photos (alt text and consent required)"

    @admin.display(description="Photo")
    def thumbnail(self, image):
        if not image.pk:
            return "—"
        url = image.get_absolute_url()
        return format_html(
            '<img src="{}" alt="" width="160" height="{}"><br>'
            '<span class="newsletter-photo-address">To place it in the text with the '
            "image button, use <code>{}</code></span>",
            url,
            round(160 * image.web_height / image.web_width),
            url,
        )


class SectionDocumentInline(LockedWithIssue, admin.StackedInline):
    model = SectionDocument
    form = SectionDocumentForm
    extra = 1
    fields = ["upload", "kept_upload", "current", "title", "order"]
    readonly_fields = ["current"]
    verbose_name = "document"
    verbose_name_plural = "documents (PDF, Word, Excel, PowerPoint, OpenDocument)"

    @admin.display(description="Current file")
    def current(self, document):
        return document.admin_link()


@admin.register(Section)
class SectionAdmin(UploadAdmin, LockedWithIssue, admin.ModelAdmin):
    """One section on its own page: the editor with its preview, photos and documents."""

    form = SectionAdminForm
    inlines = [SectionImageInline, SectionDocumentInline]
    list_display = ["heading", "issue", "order"]
    list_filter = ["issue"]
    list_select_related = ["issue"]
    search_fields = ["heading", "body"]
    fields = ["issue", "order", "heading", "body", "agency", "event"]
    autocomplete_fields = ["agency", "event"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.fields[1:]

    def get_readonly_fields(self, request, obj=None):
        return ["issue_link"] if obj else []

    def get_fieldsets(self, request, obj=None):
        fields = self.get_fields(request, obj)
        return [(None, {"fields": (["issue_link"] if obj else []) + list(fields)})]

    @admin.display(description="Issue")
    def issue_link(self, section):
        url = reverse("admin:newsletters_issue_change", args=[section.issue_id])
        return format_html('<a href="{}">{}</a>', url, section.issue)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["issue"].queryset = Issue.objects.all()
            return form
        photos = [
            (image.get_absolute_url(), image.alt_text)
            for image in obj.images.order_by("order", "pk")
        ]

        class SectionFormWithPhotos(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["body"].widget.photos = photos

        return SectionFormWithPhotos

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview),
                name="newsletters_section_preview",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def preview(self, request):
        """The live preview: the posted body through the sanitiser readers get."""
        if not (
            request.user.has_perm("newsletters.change_section")
            or request.user.has_perm("newsletters.change_issue")
        ):
            raise PermissionDenied
        response = HttpResponse(
            render_html(request.POST.get("body", "")), content_type="text/html; charset=utf-8"
        )
        response.headers["Cache-Control"] = "no-store"
        return response


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueAdminForm
    inlines = [SectionInline]
    # Few, short columns: the list fits 1,280 px beside the admin's navigation.
    list_display = ["title", "issue_date", "publication", "emails"]
    list_filter = [("status", titled_filter("publication status"))]
    search_fields = ["title", "summary"]
    date_hierarchy = "issue_date"
    prepopulated_fields = {"slug": ["title"]}
    actions = ["send_test_to_me", "publish_now", "send_to_members"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "issue_date", "summary"]}),
        ("Publishing", {"fields": ["status", "publish_at", "publication"]}),
        (
            "Email",
            {"fields": ["audience", "audience_sector", "audience_group", "delivery_summary"]},
        ),
    ]

    def get_queryset(self, request):
        def count(status):
            return Count("deliveries", filter=Q(deliveries__status=status))

        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=count(Delivery.Status.SENT),
                pending_count=count(Delivery.Status.PENDING),
                failed_count=count(Delivery.Status.FAILED),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        publisher = can_publish(request)

        class RequestIssueForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, can_publish=publisher, **kw)

        return RequestIssueForm

    def get_readonly_fields(self, request, obj=None):
        fields = ["publication", "delivery_summary"]
        if not can_publish(request):
            # Other staff write drafts; only those who may publish set status and time.
            fields += ["status", "publish_at"]
        return fields

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not locked_for(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not locked_for(request, obj)

    def has_publish_permission(self, request):
        return can_publish(request)

    def save_model(self, request, obj, form, change):
        if obj.status == Issue.Status.PUBLISHED and not can_publish(request):
            before = Issue.objects.filter(pk=obj.pk).values("status", "publish_at").first()
            if before != {"status": obj.status, "publish_at": obj.publish_at}:
                raise PermissionDenied("Only officers with the publish permission can publish.")
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Publication")
    def publication(self, issue):
        if issue.pk is None:
            return "Draft until published"
        if issue.status == Issue.Status.DRAFT:
            return "Draft"
        if issue.is_scheduled:
            return f"Scheduled for {timezone.localtime(issue.publish_at):%d %b %Y %H:%M}"
        return "Published"

    @admin.display(description="Emails", ordering="failed_count")
    def emails(self, issue):
        sent = getattr(issue, "sent_count", 0)
        waiting = getattr(issue, "pending_count", 0)
        failed = getattr(issue, "failed_count", 0)
        if not failed:
            return f"{sent} sent, {waiting} waiting, 0 failed"
        url = reverse("admin:newsletters_delivery_changelist")
        return format_html(
            '{} sent, {} waiting, <a href="{}?issue__id__exact={}&amp;status__exact=failed">'
            "{} failed</a>",
            sent,
            waiting,
            url,
            issue.pk,
            failed,
        )

    @admin.display(description="Deliveries")
    def delivery_summary(self, issue):
        if issue.pk is None:
            return "Not sent yet."
        url = reverse("admin:newsletters_delivery_changelist")
        return format_html(
            '{} sent, {} waiting, {} failed. <a href="{}?issue__id__exact={}">See deliveries</a>',
            getattr(issue, "sent_count", 0),
            getattr(issue, "pending_count", 0),
            getattr(issue, "failed_count", 0),
            url,
            issue.pk,
        )

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        published = 0
        for issue in queryset:
            if issue.is_published:
                continue
            issue.status = Issue.Status.PUBLISHED
            issue.publish_at = now
            issue.save(update_fields=["status", "publish_at", "updated_at"])
            published += 1
        self.message_user(request, f"Published {published} issue(s).", messages.SUCCESS)

    @admin.action(description="Send a test to me", permissions=["view"])
    def send_test_to_me(self, request, queryset):
        for issue in queryset:
            self._send_test(request, issue)

    def _send_test(self, request, issue):
        emails.send_test(issue, officer=request.user)
        self.message_user(
            request,
            f"A test of “{issue}” was sent to you at {request.user.email}, exactly as "
            f"recipients will get it ({issue.audience_label.lower()}).",
            messages.SUCCESS,
        )

    @method_decorator(require_POST)
    def send_test_view(self, request, object_id):
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        self._send_test(request, issue)
        return HttpResponseRedirect(reverse("admin:newsletters_issue_change", args=[issue.pk]))

    @admin.action(
        description="Send to its audience (asks first, with the number of recipients)",
        permissions=["publish"],
    )
    def send_to_members(self, request, queryset):
        """First a confirmation page with each issue's audience and number of recipients;
        sending again adds only new recipients, so a second click sends nothing twice."""
        issues = list(queryset.select_related("audience_group"))
        if request.POST.get("confirm") != "yes":
            return self._send_confirmation(request, issues)
        for issue in issues:
            if issue.status != Issue.Status.PUBLISHED:
                self.message_user(
                    request, f"{issue} is a draft: publish it before sending.", messages.ERROR
                )
                continue
            added = sending.queue_issue(issue)
            if not added:
                self.message_user(
                    request,
                    f"{issue} was already sent to all of {issue.audience_label.lower()}: "
                    "nobody gets it twice.",
                    messages.INFO,
                )
                continue
            when = "when it is published" if issue.is_scheduled else "now"
            self.message_user(
                request,
                f"{issue}: {added} new email(s) queued for {issue.audience_label.lower()}; the "
                f"mail worker starts sending them {when}. The Emails column shows how it goes.",
                messages.SUCCESS,
            )
        return None

    def _send_confirmation(self, request, issues):
        rows = []
        for issue in issues:
            row = {"issue": issue, "draft": issue.status != Issue.Status.PUBLISHED}
            if not row["draft"]:
                row["recipients"], row["already"] = sending.queue_counts(issue)
                row["new"] = row["recipients"] - row["already"]
            rows.append(row)
        context = {
            **self.admin_site.each_context(request),
            "title": "Send to its audience?",
            "opts": self.opts,
            "rows": rows,
            "to_send": sum(row.get("new", 0) for row in rows),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/newsletters/issue/send_confirmation.html", context)

    def get_urls(self):
        return [
            path(
                "from-portal/",
                self.admin_site.admin_view(self.new_issue_from_portal),
                name="newsletters_issue_from_portal",
            ),
            path(
                "<path:object_id>/insert-progress/",
                self.admin_site.admin_view(self.insert_progress_view),
                name="newsletters_issue_insert_progress",
            ),
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="newsletters_issue_send_test",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def insert_progress_view(self, request, object_id):
        """Add "Progress since the last issue" from the period's actions and decisions."""
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        section = insert_action_progress(issue=issue, user=request.user)
        self.message_user(
            request,
            f"“{section.heading}” was added at the end of the issue: edit it before publishing.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:newsletters_issue_change", args=[issue.pk]))

    @method_decorator(require_POST)
    def new_issue_from_portal(self, request):
        """Create a draft from upcoming meetings, new agencies and recent pledges; open it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        issue = draft_issue_from_portal(user=request.user)
        self.message_user(
            request,
            "A draft issue was filled in from the portal. Edit it, then publish it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:newsletters_issue_change", args=[issue.pk]))


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["email", "issue", "status", "attempts", "sent_at", "short_error", "outbox"]
    list_filter = ["status", chosen_only_filter("issue", "issue")]
    list_select_related = ["issue"]
    search_fields = ["email"]
    exclude = ["message"]
    readonly_fields = [
        "issue",
        "user",
        "email",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "outbox",
    ]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Last error")
    def short_error(self, delivery):
        return delivery.last_error[:80]

    @admin.display(description="Outgoing email")
    def outbox(self, delivery):
        if delivery.message_id is None:
            return "Not yet written"
        url = reverse("admin:mail_outgoingemail_change", args=[delivery.message_id])
        return format_html('<a href="{}">{}</a>', url, delivery.message_id)

    @admin.action(description="Retry failed deliveries", permissions=["change"])
    def retry_failed(self, request, queryset):
        count = sending.retry_failed(queryset)
        self.message_user(
            request,
            f"{count} failed delivery(ies) are being sent again by the mail worker.",
            messages.SUCCESS,
        )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "organisation", "created_at", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "organisation"]
    readonly_fields = ["email", "created_at", "confirmed_at"]
    fields = ["name", "email", "organisation", "created_at", "confirmed_at"]

    def has_add_permission(self, request):
        # People subscribe themselves: their click on the confirmation link is the consent.
        return False
