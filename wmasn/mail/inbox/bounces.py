"""Bounces (RFC 3464 delivery status notifications, and the common non-standard ones) and
automatic replies (RFC 3834, and what vacation responders send without it).

A bounce names the email it belongs to by the VERP address it came back to
(`delivery.return_path`), or by the original Message-ID, found in its returned message or
headers, or quoted in its text.
"""

import re
from email import message_from_string, policy

from wmasn.mail.delivery import (
    email_for_message_id,
    email_from_return_path,
    record_late_failure,
)
from wmasn.mail.models import OutgoingEmail

from . import Kind, Outcome, Result

BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered mail|delivery status notification|delivery has failed|"
    r"mail delivery (failed|failure|subsystem)|returned mail|failure notice|"
    r"delivery failure|non-delivery|could not be delivered",
    re.I,
)
STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
SMTP_HARD = re.compile(r"\b55[0-4]\b")
AUTO_SUBJECTS = re.compile(
    r"out of (the )?office|auto(matic)?[ -]?reply|autoreply|away from|on (annual )?leave|"
    r"vacation|abwesenheit|absence",
    re.I,
)


def handle_bounce(incoming):
    """A Result for a bounce or delay notice, or None when it is not one."""
    report = _delivery_report(incoming)
    if report is None and not _looks_like_bounce(incoming):
        return None
    if report is None:
        report = _guess_from_text(incoming)
    email = _find_email(incoming)
    action, status, diagnostic = report
    reason = " ".join(f"{status} {diagnostic}".split()) or "Bounced (no reason given)."
    if action == "delayed" or (action != "failed" and status.startswith("4")):
        return Result(
            kind=Kind.DELAY,
            outcome=Outcome.IGNORED,
            reason=f"Delayed, still being tried: {reason}",
            outgoing_email=email,
        )
    if email is None:
        return Result(
            kind=Kind.BOUNCE,
            outcome=Outcome.REFUSED,
            reason=f"No outgoing email found for this bounce: {reason}",
        )
    hard = status.startswith("5")
    record_late_failure(email, f"Bounced later: {reason}", hard=hard)
    change = "failed; the address is suppressed" if hard else "failed"
    return Result(
        kind=Kind.BOUNCE,
        outcome=Outcome.APPLIED,
        reason=f"Email to {email.recipient} {change}: {reason}",
        outgoing_email=email,
    )


def _delivery_report(incoming):
    """(action, status, diagnostic) of the first recipient of an RFC 3464 report, or None."""
    message = incoming.message
    if message.get_content_type() != "multipart/report":
        return None
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if isinstance(blocks, str):  # Some servers send it as text: parse it ourselves.
            blocks = [
                message_from_string(block + "\n", policy=policy.compat32)
                for block in re.split(r"\r?\n\r?\n", blocks.strip())
            ]
        for block in blocks[1:] or blocks:
            action = str(block.get("Action", "")).strip().lower()
            if action:
                status = str(block.get("Status", "")).strip()
                diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
                return action, status, diagnostic
    return None


def _looks_like_bounce(incoming):
    local = incoming.sender.partition("@")[0]
    if local in BOUNCE_SENDERS:
        return True
    return bool(incoming.header("X-Failed-Recipients")) or (
        not incoming.sender and bool(BOUNCE_SUBJECTS.search(incoming.subject))
    )


def _guess_from_text(incoming):
    """A non-standard bounce: the status code in its words, if any."""
    text = incoming.text()
    status = STATUS.search(text)
    line = next(
        (
            line.strip()
            for line in text.splitlines()
            if STATUS.search(line) or SMTP_HARD.search(line)
        ),
        "",
    )
    if status:
        code = status.group(0)
    elif SMTP_HARD.search(text):
        code = "5.0.0"
    else:
        code = "5.0.0" if BOUNCE_SUBJECTS.search(incoming.subject) else "4.0.0"
    action = "failed" if code.startswith("5") else "delayed"
    return action, code, line[:300] or incoming.subject


def _find_email(incoming):
    """The outgoing email a bounce belongs to: by VERP address, else by Message-ID."""
    for address in incoming.recipients():
        pk = email_from_return_path(address)
        if pk is not None:
            email = OutgoingEmail.objects.filter(pk=pk).first()
            if email is not None:
                return email
    for part in incoming.message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                found = email_for_message_id(str(payload[0].get("Message-ID", "")))
            else:
                found = email_for_message_id(_text_of(part))
            if found is not None:
                return found
    return email_for_message_id(incoming.raw.decode("utf-8", "replace"))


def _text_of(part):
    data = part.get_payload(decode=True)
    if data is None:
        return str(part.get_payload())
    return data.decode("utf-8", "replace")


def is_auto_reply(incoming):
    """RFC 3834's Auto-Submitted, the headers vacation programs add, or an away subject."""
    auto = incoming.header("Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if incoming.header("X-Autoreply") or incoming.header("X-Autorespond"):
        return True
    if incoming.header("Precedence").strip().lower() in {"auto_reply", "bulk", "junk", "list"}:
        return True
    if incoming.header("X-Auto-Response-Suppress") and AUTO_SUBJECTS.search(incoming.subject):
        return True
    return bool(AUTO_SUBJECTS.search(incoming.subject))


def handle_auto_reply(incoming):
    if not is_auto_reply(incoming):
        return None
    return Result(
        kind=Kind.AUTO_REPLY,
        outcome=Outcome.IGNORED,
        reason="An automatic reply: recorded, nothing else done.",
    )
