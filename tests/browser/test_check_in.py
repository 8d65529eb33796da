"""Door staff check people in with the phone's camera (a fake camera showing a ticket's QR
code), by typed code while the connection is down, and see a second scan refused."""

import datetime as dt
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.utils import timezone

from events.models import Attendance, RegistrationSettings
from events.registration import services, tickets
from tests.browser.conftest import assert_accessible, log_in, snap
from tests.factories import PASSWORD, EventFactory, NetworkMemberFactory, OfficerFactory

pytestmark = pytest.mark.django_db(transaction=True)

DECODER = Path(settings.BASE_DIR) / "static" / "vendor" / "jsqr" / "jsQR.js"
WIDTH, HEIGHT = 640, 480


def write_qr_video(path, text):
    """A one-frame Y4M video of a QR code on white, for Chromium's fake camera."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    size = len(matrix) + 8  # a quiet zone of four modules each side
    scale = min(WIDTH, HEIGHT) * 3 // 4 // size
    left, top = (WIDTH - size * scale) // 2, (HEIGHT - size * scale) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if not dark:
                continue
            for y in range(top + (row_number + 4) * scale, top + (row_number + 5) * scale):
                start = y * WIDTH + left + (column + 4) * scale
                luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture
def camera_page(browser, chromium_path, live_server, tmp_path):
    """A phone page whose camera shows a QR code: a second Chromium from the same Playwright,
    launched with a fake camera that plays a one-frame video of `text`'s code."""
    launched = []

    def open_page(text):
        video = tmp_path / "ticket.y4m"
        write_qr_video(video, text)
        camera_browser = browser.browser_type.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(camera_browser)
        context = camera_browser.new_context(
            base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
        )
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for camera_browser in launched:
        camera_browser.close()


@pytest.mark.skipif(not DECODER.exists(), reason="Run `make assets` to build the QR decoder.")
def test_door_staff_scan_a_ticket_and_check_in_offline(camera_page):
    start = timezone.now() + dt.timedelta(hours=1)
    event = EventFactory(
        kind="conference",
        title="Anti-Slavery Day conference",
        slug="anti-slavery-day",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
    )
    RegistrationSettings.objects.create(event=event, audience="everyone", is_open=True)
    priya = services.register_member(
        event=event,
        user=NetworkMemberFactory(first_name="Priya", last_name="Shah"),
        details={},
    )
    gail = services.confirm_guest(
        rsvp=services.register_guest(
            event=event, name="Gail Guest", email="g@example.org", details={}
        )
    )
    OfficerFactory(email="chair@example.org")

    page = camera_page(tickets.qr_payload(priya))
    log_in(page, "chair@example.org", PASSWORD)
    page.goto("/events/anti-slavery-day/check-in/")
    assert_accessible(page)

    page.get_by_role("button", name="Start the camera").click()
    page.get_by_text("Checked in: Priya Shah.").wait_for()
    assert Attendance.objects.filter(registration=priya).exists()
    # The camera still sees the same ticket: after a pause, the next scan is refused.
    page.get_by_text("Already checked in at").wait_for(timeout=10_000)
    assert Attendance.objects.count() == 1
    page.get_by_role("button", name="Stop the camera").click()
    assert_accessible(page)
    snap(page, "check-in")

    page.context.set_offline(True)
    page.get_by_role("textbox", name="Ticket code").fill(gail.formatted_ticket_code)
    page.get_by_role("button", name="Check in", exact=True).click()
    page.get_by_text("1 scan is waiting to be sent").wait_for()
    assert not Attendance.objects.filter(registration=gail).exists()
    page.context.set_offline(False)
    page.get_by_text("1 scan is waiting to be sent").wait_for(state="hidden")
    assert Attendance.objects.filter(registration=gail).exists()
    assert page.locator("[data-checked-in-count]").inner_text() == "2"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/events/anti-slavery-day/check-in/?q=gail")
    assert_accessible(page)
    snap(page, "check-in-found")
