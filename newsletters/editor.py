"""The visual editor for section bodies: django-prose-editor's bundle, CSP-clean.

The toolbar has bold, italic, headings, bulleted and numbered lists, quotes, links and
images; a live preview under it shows the section as readers will get it. Everything is
served from the project's static files; no inline script or style (see
static/js/newsletter-editor.js for how).
"""

from django import forms
from django.forms.widgets import Script
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe

from .markdown import images_removed, render_html, sanitise

EDITOR_CSS = [
    "django_prose_editor/material-icons.css",
    "django_prose_editor/editor.css",
    "django_prose_editor/overrides.css",
    "css/newsletter-editor.css",
]


class SectionEditorWidget(forms.Textarea):
    preview_template = "newsletters/widgets/section_editor_preview.html"
    picker_template = "newsletters/widgets/section_photo_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 12, **(attrs or {})})
        # The section's saved photos, [(address, alt text)]: buttons under the editor place
        # one in the text (static/js/newsletter-editor.js), no address copied by hand.
        self.photos = []

    @property
    def media(self):
        return forms.Media(
            css={"all": EDITOR_CSS},
            js=[Script("js/newsletter-editor.js", type="module")],
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-newsletter-editor"] = ""
        context["widget"]["attrs"]["data-preview-url"] = str(
            reverse_lazy("admin:newsletters_section_preview")
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        # The preview as the page opens; the script keeps it up to date while typing.
        preview = render_to_string(
            self.preview_template,
            {"id": (attrs or {}).get("id", f"id_{name}"), "preview": render_html(value or "")},
        )
        picker = render_to_string(
            self.picker_template,
            {"id": (attrs or {}).get("id", f"id_{name}"), "photos": self.photos},
        )
        return mark_safe(  # noqa: S308 - every part escaped by templates
            f'<div class="newsletter-editor-field">{textarea}{picker}{preview}</div>'
        )

    def use_required_attribute(self, initial):
        # The textarea is hidden behind the editor; the browser could not point at it.
        return False


class SectionBodyField(forms.CharField):
    """A section body from the editor, sanitised with nh3 before it is stored (and again
    before every display)."""

    widget = SectionEditorWidget

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Use the toolbar for bold, italic, headings, lists and links. Add photos and "
            "documents under the section; the preview shows what readers will see.",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        body = super().clean(value) or ""
        removed = images_removed(body)
        if removed:
            # Said plainly rather than letting the sanitiser drop them without a word.
            raise forms.ValidationError(
                "Photos must be uploaded with the section, with alt text and the consent "
                "confirmation, and used by the address shown beside them. These images are not "
                "photos of the portal and would be removed: " + ", ".join(removed[:3])
            )
        return sanitise(body)
