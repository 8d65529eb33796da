"""Subjects and text bodies are plain text: a name with an apostrophe arrives as it is written,
never as an HTML entity ("Barnardo&#x27;s"). Only the HTML part is escaped."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from network.models import Invitation
from tests.factories import (
    AgencyFactory,
    EventFactory,
    IssueFactory,
    MembershipFactory,
    UserFactory,
)
from wmasn import mail

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
AGENCY = 'Barnardo\'s & "Friends"'
PERSON = ("Sinéad", "O'Brien")
EVENT = "St John's <Safe> Place"
ISSUE = "Women's Aid & the NRM"
NAMES = (AGENCY, PERSON[1], EVENT, ISSUE)
ENTITY = re.compile(r"&(#x?[0-9a-fA-F]+|[a-zA-Z]+);")


def subject_templates():
    """Every `*_subject.txt` in the project (templates/ and any app's own templates/)."""
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*_subject.txt")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        last = max(i for i, part in enumerate(path.parts) if part == "templates")
        found.append(path.relative_to(Path(*path.parts[: last + 1])).as_posix())
    return found


def context_with_apostrophes():
    """Every object an email's subject names, each named with an apostrophe."""
    agency = AgencyFactory.build(name=AGENCY)
    user = UserFactory.build(first_name=PERSON[0], last_name=PERSON[1])
    event = EventFactory.build(title=EVENT, starts_at=timezone.now() + dt.timedelta(days=7))
    event.ends_at = event.starts_at + dt.timedelta(hours=2)
    return {
        "agency": agency,
        "year": 2018,
        "membership": MembershipFactory.build(user=user, agency=agency),
        "invitation": Invitation(agency=agency, first_name=PERSON[0], invited_by=user),
        "event": event,
        "meetings": [{"event": event}],
        "days_before": 1,
        "changes": ["time"],
        "issue": IssueFactory.build(title=ISSUE),
        "user": user,
        "sender_name": " ".join(PERSON),
        "original_subject": f"Re: {ISSUE}",
    }


def test_every_subject_template_is_found():
    templates = subject_templates()
    assert "network/emails/invitation_subject.txt" in templates
    assert len(templates) >= 16


@pytest.mark.parametrize("template", subject_templates())
def test_a_subject_says_names_with_apostrophes_as_written(template):
    source = next(ROOT.glob(f"**/templates/{template}")).read_text()
    subject = mail.render_text(template, context_with_apostrophes())
    assert not ENTITY.search(subject), subject
    if any(field in source for field in ("name }}", "title }}", "get_full_name")):
        assert any(name in subject for name in NAMES), subject


@pytest.mark.parametrize("template", subject_templates())
def test_every_subject_starts_with_the_networks_prefix(template):
    """Issue 26: subjects in plain words with the network's prefix, as the account emails."""
    subject = " ".join(mail.render_text(template, context_with_apostrophes()).split())
    assert subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX), subject


def test_the_invitation_reads_barnardos_in_its_subject_and_text_and_escapes_only_html():
    rendered = mail.render_email(
        "network/emails/invitation",
        {**context_with_apostrophes(), "accept_url": "https://x.example/?a=1&b=2", "days": 14},
    )
    assert rendered.subject == (
        f"[WMASN] You are invited to join {AGENCY} in the West Midlands Anti Slavery Network"
    )
    assert "O'Brien" in rendered.text and AGENCY in rendered.text
    assert "https://x.example/?a=1&b=2" in rendered.text
    assert not ENTITY.search(rendered.subject + rendered.text)
