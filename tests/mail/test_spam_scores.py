"""Every kind of email the portal sends scores 0 or below in SpamAssassin 4's local tests
(`spamassassin -L -t`), with the headers the worker adds; skipped where SpamAssassin is absent
(CI installs it)."""

import datetime as dt
import mailbox
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail as django_mail

from actions.models import Action
from network.models import Invitation
from tests import factories
from wmasn import mail
from wmasn.mail.delivery import deliver_due

pytestmark = [pytest.mark.django_db, pytest.mark.spam]

TEMPLATES = sorted(
    str(path.relative_to(Path(django_settings.BASE_DIR) / "templates"))[: -len("_subject.txt")]
    for path in (Path(django_settings.BASE_DIR) / "templates").glob("*/*/*_subject.txt")
)


@pytest.fixture
def spamassassin():
    path = shutil.which("spamassassin")
    if path is None:
        if os.environ.get("WMASN_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("SpamAssassin is required here (apt-get install spamassassin)")
        pytest.skip("SpamAssassin is not installed")
    return path


def scores(path, messages):
    """{List-Id: (score, tests)} for each message, from one SpamAssassin run over an mbox."""
    box = path / "mail.mbox"
    mbox = mailbox.mbox(box)
    for message in messages:
        mbox.add(message)
    mbox.close()
    with box.open("rb") as stdin:
        result = subprocess.run(
            [shutil.which("spamassassin"), "-L", "--mbox", "-t"],
            stdin=stdin,
            capture_output=True,
            timeout=600,
            check=True,
        )
    (path / "scored.mbox").write_bytes(result.stdout)
    found = {}
    for message in mailbox.mbox(path / "scored.mbox"):
        status = " ".join(message["X-Spam-Status"].split())
        score = float(re.search(r"score=(-?[\d.]+)", status).group(1))
        found[message["List-Id"]] = (score, status)
    return found


def test_no_kind_of_email_scores_above_zero(spamassassin, settings, tmp_path, member, agency):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@example.org"
    event = factories.EventFactory(title="Network meeting")
    url = "https://portal.example.org/events/network-meeting/"
    membership = member.memberships.get(agency=agency)
    pledge = factories.PledgeFactory(agency=agency)
    context = {
        "user": member,
        "agency": agency,
        "event": event,
        "meetings": [
            {
                "event": event,
                "answer_label": "",
                "links": {"attending": f"{url}a/", "apologies": f"{url}b/"},
                "documents": [],
                "event_url": url,
            }
        ],
        "event_url": url,
        "first": event,
        "last": event,
        "answer": "attending",
        "position": 2,
        "days_before": 7,
        "changes": ["time"],
        "venue_confirmed": True,
        "membership": membership,
        "has_access": True,
        "invitation": Invitation(email="new@example.org", agency=agency, invited_by=member),
        "days": 14,
        "accept_url": "https://portal.example.org/invitations/x/",
        "action": Action(title="Write the referral guide", due_on=dt.date(2026, 3, 1)),
        "days_left": 3,
        "action_url": "https://portal.example.org/actions/1/",
        "issue": factories.IssueFactory(),
        "sections": [],
        "subscriber": factories.SubscriberFactory(),
        "confirm_url": "https://portal.example.org/newsletters/subscribe/confirm/x/",
        "pledges": [pledge],
        "year": 2026,
        "unsubscribe_url": "https://portal.example.org/account/notifications/unsubscribe/x/",
        "preferences_url": "https://portal.example.org/account/notifications/",
    }
    assert len(TEMPLATES) >= 18
    for template in TEMPLATES:
        try:
            rendered = mail.render_email(template, context)
        except Exception as error:
            raise AssertionError(template) from error
        content = mail.store_content(
            rendered,
            headers={
                "List-Unsubscribe": "<https://portal.example.org/u/x/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        mail.queue_emails(content, ["reader@example.org"], kind=template.rsplit("/", 1)[-1])
    deliver_due()
    messages = [message.message() for message in django_mail.outbox]
    results = scores(tmp_path, messages)
    assert len(results) == len(TEMPLATES)
    assert {list_id: result for list_id, result in results.items() if result[0] > 0} == {}
