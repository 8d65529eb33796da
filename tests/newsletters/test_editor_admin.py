"""The chair's admin: a section's page with the editor and its preview, photos (alt text
and consent required) and documents through the upload pipeline, and "send a test to me"."""

import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image

from newsletters.models import Section, SectionDocument, SectionImage
from tests.factories import DraftIssueFactory, SectionFactory, UserFactory, add_photo
from tests.files import HTML_BYTES, PDF_BYTES, SVG_BYTES, jpeg_bytes, upload

PREVIEW = reverse("admin:newsletters_section_preview")


@pytest.fixture
def section(db):
    return SectionFactory(issue=DraftIssueFactory(), heading="Conference", body="Hello")


def section_form(section, **overrides):
    data = {
        "order": "10",
        "heading": section.heading,
        "body": "<p>The <strong>conference</strong> was a success.</p>",
        "agency": "",
        "event": "",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-alt_text": "Delegates in the conference hall",
        "images-0-caption": "",
        "images-0-consent_confirmed": "on",
        "images-0-order": "0",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-title": "The Commissioner's letter",
        "documents-0-order": "0",
        "_continue": "Save",
    }
    data.update(overrides)
    return data


def post_section(client, section, *, photo=None, document=None, **overrides):
    data = section_form(section, **overrides)
    if photo is not None:
        data["images-0-upload"] = photo
    else:
        data.update({"images-0-alt_text": "", "images-0-consent_confirmed": ""})
    if document is not None:
        data["documents-0-upload"] = document
    else:
        data["documents-0-title"] = ""
    return client.post(reverse("admin:newsletters_section_change", args=[section.pk]), data)


def errors_of(response):
    context = response.context
    errors = [str(e) for e in context["adminform"].form.errors.values()]
    for inline in context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            errors += [str(e) for e in form.errors.values()]
    return " ".join(errors)


def test_officer_adds_a_photo_and_a_pdf_to_a_section(officer_client, section):
    response = post_section(
        officer_client,
        section,
        photo=upload("conference.jpg", jpeg_bytes((2400, 1800), gps=True), "image/jpeg"),
        document=upload("letter.pdf", PDF_BYTES, "application/pdf"),
    )

    assert response.status_code == 302, errors_of(response)
    section.refresh_from_db()
    assert section.body_format == Section.BodyFormat.HTML
    photo = SectionImage.objects.get(section=section)
    assert photo.alt_text == "Delegates in the conference hall"
    assert (photo.web_width, photo.web_height) == (1200, 900)
    assert (photo.email_width, photo.email_height) == (1120, 840)
    for stored in (photo.web, photo.email):
        image = Image.open(io.BytesIO(stored.read()))
        assert dict(image.getexif()) == {}, "EXIF (with GPS) is stripped"
    document = SectionDocument.objects.get(section=section)
    assert document.label == f"PDF, {len(PDF_BYTES)} bytes"
    assert document.original_name == "letter.pdf"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"images-0-consent_confirmed": ""}, "Confirm that everyone identifiable"),
        ({"images-0-alt_text": "   "}, "This field is required"),
    ],
)
def test_a_photo_needs_alt_text_and_consent(officer_client, section, overrides, message):
    response = post_section(
        officer_client, section, photo=upload("p.jpg", jpeg_bytes(), "image/jpeg"), **overrides
    )

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not SectionImage.objects.exists()


@pytest.mark.parametrize(
    ("field", "content", "message"),
    [
        ("photo", HTML_BYTES, "is not a JPEG, PNG, GIF or WebP file: its content looks like a web"),
        ("photo", SVG_BYTES, "is not a JPEG, PNG, GIF or WebP file"),
        ("document", HTML_BYTES, "“report.pdf” is not a PDF, Word, Excel, PowerPoint or"),
        ("document", SVG_BYTES, "its content looks like an XML or SVG file"),
    ],
)
def test_disguised_uploads_get_a_clear_form_error(officer_client, section, field, content, message):
    name = "report.pdf" if field == "document" else "photo.jpg"
    response = post_section(officer_client, section, **{field: upload(name, content)})

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not SectionImage.objects.exists() and not SectionDocument.objects.exists()


def test_oversized_uploads_get_a_form_error(officer_client, section, settings):
    settings.WMASN_UPLOAD_MAX_DOCUMENT_BYTES = 100
    response = post_section(officer_client, section, document=upload("big.pdf", PDF_BYTES))

    assert response.status_code == 200
    assert "the limit is 100 bytes" in errors_of(response)


def test_images_that_are_not_portal_photos_are_refused_not_dropped_silently(
    officer_client, section
):
    body = '<p>See <img src="https://tracker.example/pixel.gif" alt="x"></p>'
    response = post_section(officer_client, section, body=body)

    assert response.status_code == 200
    assert "https://tracker.example/pixel.gif" in errors_of(response)


def test_a_portal_photo_in_the_body_is_kept(officer_client, section):
    photo = add_photo(section)
    body = f'<p>Look:</p><p><img src="{photo.get_absolute_url()}" alt="The hall"></p>'
    response = post_section(officer_client, section, body=body)

    assert response.status_code == 302, errors_of(response)
    page = officer_client.get(section.issue.get_absolute_url()).content.decode()
    assert f'<img src="{photo.get_absolute_url()}" alt="The hall">' in page


def test_the_section_page_has_the_editor_from_static_files_and_no_inline_script(
    officer_client, section
):
    page = officer_client.get(reverse("admin:newsletters_section_change", args=[section.pk]))
    html = page.content.decode()

    assert 'src="/static/js/newsletter-editor.js" type="module"' in html
    assert "data-newsletter-editor" in html
    assert f'data-preview-url="{PREVIEW}"' in html
    assert 'type="importmap"' not in html
    assert "<script>" not in html.replace(" ", "")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


def test_an_old_markdown_section_opens_in_the_editor_as_html(officer_client, section):
    section.body, section.body_format = "Some **bold** news", Section.BodyFormat.MARKDOWN
    section.save()
    html = officer_client.get(
        reverse("admin:newsletters_section_change", args=[section.pk])
    ).content.decode()

    assert "&lt;p&gt;Some &lt;strong&gt;bold&lt;/strong&gt; news&lt;/p&gt;" in html


def test_live_preview_is_sanitised_by_the_server(officer_client):
    response = officer_client.post(
        PREVIEW, {"body": "<p><b>Hi</b><script>alert(1)</script><a href='javascript:x'>y</a></p>"}
    )

    assert response.status_code == 200
    assert response.content.decode() == '<p><b>Hi</b><a rel="noopener noreferrer">y</a></p>'
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "member", "staff without permission"])
def test_live_preview_is_for_issue_editors_only(who, member):
    client = Client()
    if who == "member":
        client.force_login(member)
    elif who != "anonymous":
        client.force_login(UserFactory(is_staff=True))
    response = client.post(PREVIEW, {"body": "x"})
    assert response.status_code in (302, 403)


def test_live_preview_refuses_get(officer_client):
    assert officer_client.get(PREVIEW).status_code == 405


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_the_section_admin_is_for_officers(role, client_for_role, section):
    response = client_for_role(role).get(
        reverse("admin:newsletters_section_change", args=[section.pk])
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_send_a_test_to_me_sends_the_email_to_the_officer_only(
    officer, officer_client, member, section, django_capture_on_commit_callbacks
):
    add_photo(section)
    url = reverse("admin:newsletters_issue_send_test", args=[section.issue.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == f"[Test] [WMASN] Newsletter: {section.issue.title}"
    html = message.alternatives[0][0]
    assert "Conference" in html and "Test email." in html
    # The draft's photo is signed so that the officer's mail client can show it.
    assert "/newsletters/photos/" in html and "?key=" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert section.issue.deliveries.count() == 0, "a test is not a delivery"


def test_send_a_test_refuses_get_and_outsiders(member_client, officer_client, section):
    url = reverse("admin:newsletters_issue_send_test", args=[section.issue.pk])
    assert officer_client.get(url).status_code == 405
    assert member_client.post(url).status_code == 302
    assert mail.outbox == []


def test_send_a_test_to_me_is_an_action_too(
    officer, officer_client, section, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            reverse("admin:newsletters_issue_changelist"),
            {"action": "send_test_to_me", "_selected_action": [section.issue.pk]},
        )
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_the_issue_page_counts_each_sections_files_without_a_query_each(officer_client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import add_document

    issue = DraftIssueFactory()

    def issue_page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get(f"/admin/newsletters/issue/{issue.pk}/change/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    first = SectionFactory(issue=issue, order=1)
    add_photo(first)
    add_document(first)
    few, html = issue_page_queries()
    assert "1 photo(s), 1 document(s)" in html
    for order in range(2, 7):
        add_photo(SectionFactory(issue=issue, order=order))
    many, html = issue_page_queries()
    assert html.count("1 photo(s), 0 document(s)") == 5
    # Nothing is read per section: the files are counted with the sections, and the event is
    # chosen by search (an issue's page never lists every event once per section).
    assert many <= few


def test_a_valid_pdf_survives_a_photo_without_alt_text(officer_client, section):
    """Issue 25: a missing alt text threw away both uploads, the valid PDF included."""
    response = post_section(
        officer_client,
        section,
        photo=upload("p.jpg", jpeg_bytes(), "image/jpeg"),
        document=upload("letter.pdf", PDF_BYTES, "application/pdf"),
        **{"images-0-alt_text": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kept from your last attempt: letter.pdf" in html
    assert "Kept from your last attempt: p.jpg" in html
    forms = {
        inline.formset.prefix: inline.formset.forms[0]
        for inline in response.context["inline_admin_formsets"]
    }
    kept_pdf = forms["documents"]["kept_upload"].value()
    kept_photo = forms["images"]["kept_upload"].value()
    assert kept_pdf and kept_photo and kept_pdf != kept_photo
    assert f'value="{kept_pdf}"' in html

    # Sent again with the alt text and no files chosen: both files are saved.
    data = section_form(
        section,
        **{"images-0-kept_upload": kept_photo, "documents-0-kept_upload": kept_pdf},
    )
    again = officer_client.post(
        reverse("admin:newsletters_section_change", args=[section.pk]), data
    )
    assert again.status_code == 302, errors_of(again)
    document = SectionDocument.objects.get(section=section)
    assert document.original_name == "letter.pdf"
    assert document.file.read() == PDF_BYTES
    assert SectionImage.objects.get(section=section).alt_text == (
        "Delegates in the conference hall"
    )


def test_a_made_up_kept_key_is_no_file(officer_client, section):
    data = section_form(section, **{"documents-0-kept_upload": "made-up"})
    data.update({"images-0-alt_text": "", "images-0-consent_confirmed": ""})
    response = officer_client.post(
        reverse("admin:newsletters_section_change", args=[section.pk]), data
    )
    assert response.status_code == 200
    assert "This field is required" in errors_of(response)
    assert not SectionDocument.objects.exists()


def test_a_kept_file_name_is_shown_escaped(officer_client, section):
    response = post_section(
        officer_client,
        section,
        photo=upload("p.jpg", jpeg_bytes(), "image/jpeg"),
        document=upload("<em>x<em>.pdf", PDF_BYTES, "application/pdf"),
        **{"images-0-alt_text": ""},
    )
    html = response.content.decode()
    assert "Kept from your last attempt: &lt;em&gt;x&lt;em&gt;.pdf" in html
    assert "<em>x<em>.pdf" not in html


def test_the_section_page_offers_its_photos_to_place_in_the_text(officer_client, section):
    """Issue 25: putting a photo in the text meant copying its address by hand."""
    photo = add_photo(section, alt_text='The "hall" & stage')
    other = add_photo(SectionFactory(issue=section.issue), alt_text="Another section's")
    html = officer_client.get(
        reverse("admin:newsletters_section_change", args=[section.pk])
    ).content.decode()
    assert 'data-photo-picker-for="id_body"' in html
    assert (
        f'data-src="{photo.get_absolute_url()}" data-alt="The &quot;hall&quot; &amp; stage"' in html
    )
    assert other.get_absolute_url() not in html
    assert "<script>" not in html.replace(" ", "")


def test_a_section_without_photos_has_no_picker(officer_client, section):
    html = officer_client.get(
        reverse("admin:newsletters_section_change", args=[section.pk])
    ).content.decode()
    assert "data-photo-picker-for" not in html
