from django import forms
from django.utils import timezone

from .models import Issue

# Paths under /newsletters/ that an issue slug must not shadow.
RESERVED_SLUGS = {"feed", "unsubscribe"}


class IssueAdminForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["title", "slug", "issue_date", "summary", "status", "publish_at"]
        help_texts = {
            "publish_at": (
                "When the issue becomes public. Leave empty to publish now; "
                "a future time schedules it."
            ),
        }

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_publish = can_publish

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
