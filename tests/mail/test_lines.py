"""Folding an email's long HTML lines: nothing a reader sees changes, and a newsletter with
inlined CSS goes out from one shared serialization instead of being encoded per recipient."""

import email
import re
from html.parser import HTMLParser

import pytest

from wmasn import mail
from wmasn.mail import delivery
from wmasn.mail.delivery import deliver_due
from wmasn.mail.lines import FOLD_AT, fold_long_lines

pytestmark = pytest.mark.django_db

CELL = '<td class="cell" style="padding: 8px 12px; color: #1a1a1a; font-family: Arial, sans-serif">'
PARAGRAPH = (
    "The Table Top exercise in September was an excellent event and has highlighted some key "
    "areas in which we need to address, including identifying lead agencies at point of "
    "victim rescue and understanding the NRM process and victim care pathway. "
) * 6


class Reading(HTMLParser):
    """What a mail client reads: tags with their attributes, and text with its white space
    collapsed (outside <pre>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events, self.in_pre = [], 0

    def handle_starttag(self, tag, attrs):
        self.in_pre += tag == "pre"
        self.events.append(("start", tag, attrs))

    def handle_endtag(self, tag):
        self.in_pre -= tag == "pre"
        self.events.append(("end", tag))

    def handle_data(self, data):
        text = data if self.in_pre else re.sub(r"\s+", " ", data)
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + text)
        else:
            self.events.append(("text", text))


def reading(html):
    parser = Reading()
    parser.feed(html)
    parser.close()
    return parser.events


def longest(html):
    return max(len(line.encode()) for line in html.splitlines())


DOCUMENTS = {
    "inlined table": "<table><tr>" + f"{CELL}Cell</td>" * 60 + "</tr></table>",
    "long paragraph": f"<p>{PARAGRAPH}</p>",
    "non-ASCII text": "<p>" + "Café — ‘quoted’ naïve façade. " * 80 + "</p>",
    "mixed": (
        f'<div style="margin: 0">{PARAGRAPH}<a href="https://example.org/a?b=1" '
        f'title="A &quot;quoted&quot; title">link</a>{CELL * 20}</div>'
    ),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_long_lines_fold_within_the_limit_and_read_the_same(name):
    html = DOCUMENTS[name]
    assert longest(html) > 998
    folded = fold_long_lines(html)
    assert longest(folded) <= FOLD_AT
    assert reading(folded) == reading(html)


def test_short_lines_are_left_exactly_as_they_are():
    html = f"<p>Short</p>\n{CELL}x</td>\n"
    assert fold_long_lines(html) is html


def test_preformatted_text_keeps_its_spaces_and_only_tags_fold():
    html = f"<pre>{'a b ' * 400}</pre>" + CELL * 20
    folded = fold_long_lines(html)
    assert f"<pre>{'a b ' * 400}</pre>" in folded
    assert reading(folded) == reading(html)
    assert longest(folded) < longest(html)


def test_a_line_with_nowhere_to_break_stays_whole():
    html = f"<p>{'x' * 1200}</p>"
    assert fold_long_lines(html) == html


def test_a_newsletter_with_inlined_css_is_sent_from_one_shared_copy(smtp_server, monkeypatch):
    marker = mail.placeholder("unsubscribe_url")
    html = (
        "<table><tr>" + f"{CELL}{PARAGRAPH}</td>" * 10 + f'<td><a href="{marker}">Unsubscribe</a>'
        "</td></tr></table>"
    )
    content = mail.store_content(
        mail.RenderedEmail(subject="News", text=f"Unsubscribe: {marker}\n", html=html),
        headers={"List-Unsubscribe": f"<{marker}>"},
    )
    assert longest(content.html) <= FOLD_AT
    links = {f"reader{n}@example.org": f"https://portal.example.org/u/{n}/" for n in range(3)}
    mail.queue_emails(content, [(address, {marker: link}) for address, link in links.items()])
    built_one_by_one = []
    message_for = delivery.message_for
    monkeypatch.setattr(
        delivery, "message_for", lambda *args: built_one_by_one.append(1) or message_for(*args)
    )
    assert deliver_due()["sent"] == 3
    assert built_one_by_one == []
    for recipient, raw in smtp_server.handler.received:
        [part] = [
            p for p in email.message_from_bytes(raw).walk() if p.get_content_subtype() == "html"
        ]
        assert part["Content-Transfer-Encoding"] in ("7bit", "8bit")
        received = part.get_payload(decode=True).decode()
        assert reading(received) == reading(html.replace(marker, links[recipient]))
