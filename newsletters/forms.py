import secrets

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import format_html

from wmasn.uploads import DocumentUploadForm, ImageUploadForm

from .editor import SectionBodyField
from .models import Issue, Section, SectionDocument, SectionImage, Subscriber

# Paths under /newsletters/ that an issue slug must not shadow.
RESERVED_SLUGS = {"feed", "unsubscribe", "subscribe", "photos", "documents"}


class IssueAdminForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = [
            "title",
            "slug",
            "issue_date",
            "summary",
            "status",
            "publish_at",
            "audience",
            "audience_sector",
            "audience_group",
        ]
        help_texts = {
            "publish_at": (
                "When the issue becomes public. Leave empty to publish now; "
                "a future time schedules it."
            ),
        }

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_publish = can_publish
        if self.instance.pk is None:
            # A new issue is dated today unless the chair says otherwise.
            self.initial.setdefault("issue_date", timezone.localdate())

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("This address is used by the site; choose another slug.")
        return slug

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status", self.instance.status)
        if status == Issue.Status.PUBLISHED and not self.can_publish:
            was_published = (
                self.instance.pk
                and Issue.objects.filter(pk=self.instance.pk, status=status).exists()
            )
            if not was_published:
                raise forms.ValidationError(
                    "Only officers with the publish permission can publish an issue; "
                    "save it as a draft."
                )
        publishing = "publish_at" in self.fields and status == Issue.Status.PUBLISHED
        if publishing and not cleaned.get("publish_at"):
            cleaned["publish_at"] = timezone.now()
        return cleaned


class SectionAdminForm(forms.ModelForm):
    """A section written in the visual editor; an older Markdown body opens as HTML."""

    body = SectionBodyField()

    class Meta:
        model = Section
        fields = ["order", "heading", "body", "agency", "event"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = self.instance
        if section.pk and section.body_format == Section.BodyFormat.MARKDOWN:
            from .markdown import render_markdown

            # A plain str, not SafeString: the textarea must escape it like any value.
            self.initial["body"] = "".join([render_markdown(section.body)])

    def save(self, commit=True):
        self.instance.body_format = Section.BodyFormat.HTML
        return super().save(commit=commit)


# How long a file that passed its checks is kept for a page that had another error.
KEPT_UPLOAD_SECONDS = 2 * 60 * 60


class KeepsUploadAcrossErrors:
    """A checked upload survives an error elsewhere on the page (a photo without alt text
    beside a valid PDF): it is kept in the cache under a random key that the re-shown form
    carries in a hidden field, and used when the page is sent again without a new file.

    Ordinary before clever: a browser cannot refill a file input, and saving a half-valid
    page would break the admin's all-or-nothing save; a key to the checked file is the
    smallest thing that keeps the officer's work. If the cache lost it, the field asks for
    the file again, as before.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = None
        key = self.data.get(self.add_prefix("kept_upload"), "") if self.is_bound else ""
        if key and len(key) <= 64:
            self.kept = cache.get(self._cache_key(key))
        if self.kept is not None:
            self.fields["upload"].required = False
            self._say_kept(self.kept)

    def _say_kept(self, upload):
        field = self.fields["upload"]
        # The admin shows help text as HTML, and the name is the uploader's.
        field.help_text = format_html(
            "Kept from your last attempt: {}. Choose another file only to replace it. {}",
            upload.original_name,
            field.help_text,
        )
        # The bound field copied the help text when the form was cleaned.
        self["upload"].help_text = field.help_text

    @staticmethod
    def _cache_key(key):
        return f"newsletters:kept-upload:{key}"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None and self.kept is not None:
            cleaned["upload"] = self.kept
        elif upload is not None and self.kept is None:
            # Kept now, in case another form on the page sends this one back.
            key = secrets.token_urlsafe(32)
            cache.set(self._cache_key(key), upload, KEPT_UPLOAD_SECONDS)
            self.data = self.data.copy()
            self.data[self.add_prefix("kept_upload")] = key
            self._say_kept(upload)
        return cleaned

    def save(self, commit=True):
        saved = super().save(commit=commit)
        key = self.data.get(self.add_prefix("kept_upload"), "")
        if key:
            cache.delete(self._cache_key(key))
        return saved

    def has_changed(self):
        return super().has_changed() or self.kept is not None


class KeptUploadInput(forms.HiddenInput):
    """A hidden input that the admin's label for it leaves alone: a label's `for` must name
    a control that is not hidden (the Nu checker, docs/quality.md)."""

    def id_for_label(self, id_):
        return None


def kept_upload_field():
    return forms.CharField(required=False, widget=KeptUploadInput, max_length=64)


class SectionImageForm(KeepsUploadAcrossErrors, ImageUploadForm):
    kept_upload = kept_upload_field()

    class Meta:
        model = SectionImage
        fields = ["order", "alt_text", "caption", "consent_confirmed"]

    def clean_consent_confirmed(self):
        if not self.cleaned_data.get("consent_confirmed"):
            raise forms.ValidationError(
                "Confirm that everyone identifiable in the photo agreed to its publication; "
                "without that, the photo cannot be used."
            )
        return True

    def clean_alt_text(self):
        alt = " ".join(self.cleaned_data.get("alt_text", "").split())
        if not alt:
            raise forms.ValidationError("Describe the photo for people who cannot see it.")
        return alt


class SectionDocumentForm(KeepsUploadAcrossErrors, DocumentUploadForm):
    kept_upload = kept_upload_field()

    class Meta:
        model = SectionDocument
        fields = ["order", "title"]


class SubscribeForm(forms.ModelForm):
    """The public sign-up: confirmed by a link before anything is sent."""

    class Meta:
        model = Subscriber
        fields = ["name", "email", "organisation"]
        labels = {"email": "Email address", "organisation": "Organisation (optional)"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        """An address already signed up is not an error: subscribe() handles it quietly,
        so the form never tells a stranger who subscribes."""
