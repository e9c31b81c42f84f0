"""The kiosk's QR check-in (issue 12): the customer taps 扫码签到 and holds the booking
message's QR code up to the kiosk PC's camera; the page checks the appointment in as typing
its code does.

In real Chromium whose camera is a fake device playing a video made at test time: a
synthetic phone photo (tests/devices/phone_photos.py: tilted, turned, blurred, noisy JPEG)
of a real appointment's `qr`, booked through the API first. Then what the page does with
another hall's code, cancel, the 30-second timeout, and a kiosk with no camera. And the scan
route over HTTP: roles, a picture that is none (422), one too large (413), another hall's
code, a QR code that is no appointment, no code at all. Screenshots under
tests/artifacts/kiosk-scan-*.png.
"""
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from ..devices.phone_photos import phone_photo
from ..running_hall import RunningHall
from ..web.conftest import Hall, assert_error
from .conftest import CHROMIUM, CHROMIUM_ARGS, TIMEZONE, shot
from .test_kiosk import book, in_two_minutes, shows

pytestmark = pytest.mark.xdist_group("pages-kiosk-qr")

LANDSCAPE = (1920, 1080)
SCAN = "/halls/demo/appointments/scan"
FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def y4m(photo: bytes, path: Path, frames: int = 5) -> Path:
    """The photo as a short video Chromium's fake camera plays in a loop (YUV4MPEG2, I420)."""
    picture = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    height, width = picture.shape[:2]
    planes = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def camera_kiosk(browser: Browser, page_hall: RunningHall, tmp_path: Path) -> Iterator[Callable[..., Page]]:
    """`open(photo)`: a landscape touch kiosk, paired, in a Chromium of its own whose camera
    shows `photo`; `no_camera=True`: a kiosk PC whose browser offers no camera."""
    browsers, errors = [], []

    def open_kiosk(photo: bytes, no_camera: bool = False, fake_clock: bool = False) -> Page:
        video = y4m(photo, tmp_path / f"camera-{len(browsers)}.y4m")
        chromium = browser.browser_type.launch(executable_path=CHROMIUM,
                                               args=[*CHROMIUM_ARGS, *FAKE_CAMERA,
                                                     f"--use-file-for-fake-video-capture={video}"])
        browsers.append(chromium)
        context = chromium.new_context(viewport={"width": LANDSCAPE[0], "height": LANDSCAPE[1]}, has_touch=True,
                                       locale="zh-CN", timezone_id=TIMEZONE)
        context.add_cookies([{"name": "lang", "value": "zh", "url": page_hall.url}])
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if no_camera:
            page.add_init_script("Object.defineProperty(navigator, 'mediaDevices', { value: undefined })")
        if fake_clock:
            page.clock.install()
        page.goto(page_hall.url + page_hall.pairing_link("kiosk", "demo"))
        expect(page).to_have_url(re.compile(r"/kiosk/demo"))
        expect(page.locator("#services .k-service").first).to_be_visible()
        return page

    yield open_kiosk
    for chromium in browsers:
        chromium.close()
    assert not errors, f"script errors on the page: {errors}"


def camera_on(page: Page) -> bool:
    return page.locator("#scan-video").evaluate("video => Boolean(video.srcObject)")


@pytest.mark.browser
def test_the_customer_shows_the_booking_code_to_the_camera_and_gets_a_number(camera_kiosk, page_api):
    booked = book(page_api, "fee", in_two_minutes())
    photo = phone_photo(booked["qr"], px_per_module=6, rotate_deg=12, tilt=0.15, blur_sigma=0.8, noise=3, seed=7)
    page = camera_kiosk(photo)
    expect(page.locator(".k-extra--scan")).to_contain_text("扫码签到")
    with page.expect_response(lambda r: r.url.endswith("/halls/demo/tickets") and r.status == 201) as answer:
        page.locator(".k-extra--scan").tap()
    ticket = answer.value.json()
    assert ticket["priority"] == "appointment" and ticket["service"] == "fee"
    shows(page, ticket)
    expect(page.locator("#ticket-class")).to_have_text("预约")
    assert not camera_on(page)  # the camera is released once the code is read
    shot(page, "kiosk-scan-ticket-landscape")
    assert page_api["mgr"].ok("GET", f"/tickets/{ticket['id']}")["number"] == ticket["number"]
    appointment = page_api["mgr"].ok("GET", f"/halls/demo/appointments/{booked['code']}")
    assert appointment["status"] == "checked_in" and appointment["ticket"] == ticket["id"]

    page.locator("[data-go='done']").tap()  # the same code again: the typed path's message
    page.locator(".k-extra--scan").tap()
    expect(page.locator("#code-message")).to_have_text("该预约已签到取号，请勿重复取号")
    expect(page.locator("#code")).to_have_attribute("aria-label", " ".join(booked["code"]))


@pytest.mark.browser
def test_another_halls_code_is_told_and_cancel_or_time_out_returns_to_the_start(camera_kiosk):
    page = camera_kiosk(phone_photo("HALLAPPT:north:ABCDEF", seed=3), fake_clock=True)
    page.locator(".k-extra--scan").tap()
    scan = page.locator("[data-screen='scan']")
    expect(scan).to_be_visible()
    expect(page.locator("#scan-status")).to_have_text("这是其他营业厅的预约，请核对您的预约短信。")
    assert camera_on(page)
    assert page.locator("#scan-video").evaluate("v => getComputedStyle(v).transform") != "none"  # mirrored
    shot(page, "kiosk-scan-other-hall-landscape")
    page.locator("[data-screen='scan'] [data-go='start']").tap()  # 返回
    expect(page.locator("[data-screen='start']")).to_be_visible()
    assert not camera_on(page)

    page.locator(".k-extra--scan").tap()
    expect(page.locator("#scan-countdown")).to_contain_text("秒后返回首页")
    page.clock.fast_forward("00:31")
    expect(page.locator("[data-screen='start']")).to_be_visible()
    assert not camera_on(page)

    page.set_viewport_size({"width": LANDSCAPE[1], "height": LANDSCAPE[0]})  # a portrait kiosk
    page.locator(".k-extra--scan").tap()
    expect(page.locator("#scan-status")).to_have_text("这是其他营业厅的预约，请核对您的预约短信。")
    shot(page, "kiosk-scan-other-hall-portrait")
    page.locator("[data-screen='scan'] [data-go='start']").tap()
    assert not camera_on(page)


@pytest.mark.browser
def test_a_kiosk_without_a_camera_says_so_and_offers_the_typed_code(camera_kiosk):
    page = camera_kiosk(phone_photo(None), no_camera=True)
    page.locator(".k-extra--scan").tap()
    expect(page.locator("[data-screen='appointment']")).to_be_visible()
    expect(page.locator("#code-message")).to_have_text("摄像头无法打开，请输入预约短信中的预约码。")
    shot(page, "kiosk-scan-no-camera-landscape")


# the route over HTTP ------------------------------------------------------------------------

def scan(page_api: Hall, who: str, picture: bytes, content_type: str = "image/jpeg", hall: str = "demo"):
    return page_api[who].request("POST", f"/halls/{hall}/appointments/scan", data=picture,
                                 headers={"Content-Type": content_type})


def test_the_scan_route_reads_this_halls_code_only(page_api):
    booked = book(page_api, "business", in_two_minutes())
    photo = phone_photo(booked["qr"], px_per_module=5, rotate_deg=-20, tilt=0.2, blur_sigma=1.0, seed=11)
    for who in ("kiosk", "mgr", "admin"):
        response = scan(page_api, who, photo)
        assert response.status_code == 200, response.text
        assert response.json() == {"payload": booked["qr"], "code": booked["code"]}
    png = cv2.imencode(".png", cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR))[1].tobytes()
    assert scan(page_api, "kiosk", png, "image/png").json()["code"] == booked["code"]
    other = scan(page_api, "kiosk", phone_photo(f"HALLAPPT:north:{booked['code']}", seed=2)).json()
    assert other == {"payload": f"HALLAPPT:north:{booked['code']}", "code": None, "reason": "other_hall"}
    foreign = scan(page_api, "kiosk", phone_photo("https://example.com/pay?id=1", seed=4)).json()
    assert foreign == {"payload": "https://example.com/pay?id=1", "code": None, "reason": "not_an_appointment"}
    assert scan(page_api, "kiosk", phone_photo(None, seed=5)).json() == {"payload": None, "code": None}
    # the north hall's kiosk reads at its own hall: this code is demo's
    north = scan(page_api, "kiosk-north", photo, hall="north").json()
    assert (north["code"], north["reason"]) == (None, "other_hall")


def test_the_scan_route_refuses_what_it_cannot_read(page_api):
    photo = phone_photo(None)
    for who, status in (("clerk-a", 403), ("display", 403), ("evaluator", 403), ("kiosk-north", 403),
                        ("mgr-north", 403), ("nobody", 401)):
        assert_error(scan(page_api, who, photo), status)
    assert_error(scan(page_api, "kiosk", b"not a picture at all"), 422, "not_an_image")
    assert_error(scan(page_api, "kiosk", photo, "application/json"), 422, "unsupported_image")
    assert_error(scan(page_api, "kiosk", b""), 422, "not_an_image")
    assert_error(scan(page_api, "kiosk", b"\xff\xd8" + bytes(2 * 1024 * 1024)), 413, "too_large")
    assert_error(scan(page_api, "kiosk", photo, hall="nowhere"), 404)
