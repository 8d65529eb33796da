"""libical (the parser behind Evolution and many servers) as a test oracle for ICS bodies.

The GObject bindings come from Debian (`apt-get install gir1.2-ical-3.0 python3-gi`) and
import only in the system Python, so the reading happens in `/usr/bin/python3 read_ics.py`,
a subprocess. Use `libical_read(body)` for what libical reads and `assert_libical_clean(body)`
for a body that must pass its strict checks (RFC 5545 parsing and the RFC 5546 restrictions
of the calendar's METHOD: PUBLISH for feeds, REQUEST or CANCEL for invitations).
Without the bindings the tests skip, except in CI, where they fail.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("read_ics.py")
INSTALL = "apt-get install gir1.2-ical-3.0 python3-gi"


def _available():
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


_AVAILABLE = None


def require_libical():
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = _available()
    if not _AVAILABLE:
        message = f"the libical check needs {SYSTEM_PYTHON} with its GObject bindings ({INSTALL})"
        if os.environ.get("WMASN_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _text(body):
    return body.decode("utf-8") if isinstance(body, bytes) else body


def libical_read_many(bodies):
    """What libical reads in each body, in one subprocess: a list of libical_read() results."""
    require_libical()
    result = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPT), "--many"],
        input=json.dumps([_text(body) for body in bodies]).encode(),
        capture_output=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


def libical_read(body):
    """{"problems": [X-LIC-ERROR lines], "events": [{"uid", "start", "end", "all_day"}]}."""
    [found] = libical_read_many([body])
    return found


def assert_libical_clean(*bodies):
    """Each body parses in libical and passes check_restrictions() for every component;
    returns what libical read (one result, or a list for several bodies)."""
    found = libical_read_many(bodies)
    assert [result["problems"] for result in found] == [[] for _ in bodies]
    return found[0] if len(bodies) == 1 else found
