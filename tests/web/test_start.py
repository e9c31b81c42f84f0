"""The start page `/`, `/admin` and the demo shortcut, over real HTTP against real servers.

- `hall` (tests/web/conftest.py): a server on a copy of the demo configuration, as every test
  server runs: the start page signed out and signed in for each role, `/admin`'s redirects,
  and the demo shortcut absent (404) because the configuration is not the demo file itself.
- `demo_server`: a server on config/demo_hall.toml itself (HALL_CONFIG names it), bound on
  0.0.0.0 with a temporary database: the shortcut works from loopback and is refused (403)
  from this machine's other address and through a proxy.
"""
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from hall_server.config import DEFAULT_CONFIG
from hall_server.services.accounts import session_key

from ..running_hall import REPO_ROOT, STARTUP_TIMEOUT_S, RunningHall
from .conftest import Hall

pytestmark = pytest.mark.xdist_group("web-start")


class DemoHall(RunningHall):
    """A server whose HALL_CONFIG is the demo hall's own file (not a copy), on every address."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "HALL_CONFIG": str(DEFAULT_CONFIG)}

    def start(self) -> None:
        """`python -m hall_server run` bound on 0.0.0.0 (reachable on this machine's other address)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hall_server", "run", "--host", "0.0.0.0", "--port", str(self.port)],
            cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not requests_answer(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start ({self.process.poll()}): {self.log()}")
            time.sleep(0.1)


def requests_answer(url: str) -> bool:
    try:
        requests.get(f"{url}/api/v1/openapi.json", timeout=1)
        return True
    except requests.RequestException:
        return False


def other_address() -> str | None:
    """This machine's first IPv4 address that is not loopback (`ip -4 addr`), or None."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, timeout=10).stdout
    except FileNotFoundError:
        return None
    addresses = [a for a in re.findall(r"inet (\d+\.\d+\.\d+\.\d+)", out) if not a.startswith("127.")]
    return addresses[0] if addresses else None


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[RunningHall]:
    server = DemoHall(tmp_path_factory.mktemp("demo"), config_text=DEFAULT_CONFIG.read_text(encoding="utf-8"))
    server.init_db()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def page(url: str, token: str | None = None, **kwargs) -> requests.Response:
    cookies = {"hall_session": token} if token else {}
    return requests.get(url, cookies=cookies, allow_redirects=False, timeout=10, **kwargs)


def links(html: str) -> set[str]:
    return set(re.findall(r'href="(/[^"]*)"', html))


def test_signed_out_the_start_page_names_the_halls_offers_sign_in_and_explains_the_screens(hall: Hall):
    response = page(hall.url + "/")
    assert response.status_code == 200
    html = response.text
    assert "国网示范县供电公司城区营业厅" in html and "State Grid Demo County Power Supply" in html
    assert 'data-hall="north"' in html  # every hall of the configuration
    assert 'href="/login?next=/"' in html
    for screen in ("取号机", "大厅叫号屏", "窗口叫号屏", "评价器", "窗口工作台", "营业厅看板", "报表", "系统管理"):
        assert screen in html, screen
    assert not {link for link in links(html) if link.startswith(("/board", "/counter", "/reports", "/admin"))}
    assert "/demo-as/" not in html  # not the demo file: no shortcut


def test_the_start_page_speaks_english_when_asked(hall: Hall):
    html = page(hall.url + "/?lang=en").text
    assert "Staff sign-in" in html and "The screens of a hall" in html and "Kiosk" in html
    assert "取号机" not in html


@pytest.mark.parametrize(("who", "present", "absent"), [
    ("clerk-a", {"/counter/demo/1", "/counter/demo/7"},
     {"/board/demo", "/reports/demo", "/admin", "/counter/north/1"}),
    ("mgr", {"/board/demo", "/reports/demo", "/admin", "/counter/demo/1"},
     {"/board/north", "/reports/north", "/counter/north/1"}),
    ("mgr-north", {"/board/north", "/reports/north", "/admin"}, {"/board/demo", "/counter/demo/1"}),
    ("admin", {"/board/demo", "/board/north", "/reports/north", "/admin", "/counter/north/7"}, set()),
])
def test_signed_in_the_start_page_lists_what_this_person_may_open(hall: Hall, who: str, present: set,
                                                                 absent: set):
    html = page(hall.url + "/", hall[who].token).text
    found = links(html)
    assert present <= found, present - found
    assert not absent & found, absent & found
    assert "/login?next=/" not in found
    assert re.search(r'<form method="post" action="/logout".*?name="csrf_token" value="[^"]+"', html, re.S)


def test_a_dead_session_or_a_device_token_is_signed_out(hall: Hall):
    assert 'href="/login?next=/"' in page(hall.url + "/", "not-a-token").text
    assert 'href="/login?next=/"' in page(hall.url + "/", hall["kiosk"].token).text


def test_sign_out_from_the_start_page_ends_the_session(hall: Hall):
    token = hall.server.login("clerk-b")
    html = page(hall.url + "/", token).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    out = requests.post(hall.url + "/logout", data={"csrf_token": csrf}, cookies={"hall_session": token},
                        allow_redirects=False, timeout=10)
    assert out.status_code == 303
    assert 'href="/login?next=/"' in page(hall.url + "/", token).text


@pytest.mark.parametrize(("who", "status", "where"), [
    (None, 302, "/login?next=/admin"), ("clerk-a", 403, None), ("kiosk", 302, "/login?next=/admin"),
    ("mgr", 302, "/admin/users"), ("mgr-north", 302, "/admin/users"), ("admin", 302, "/admin/users"),
])
def test_admin_goes_to_the_first_section_this_person_may_open(hall: Hall, who, status, where):
    response = page(hall.url + "/admin", hall[who].token if who else None)
    assert response.status_code == status, response.text
    if where:
        assert response.headers["Location"].endswith(where)
    else:
        assert "signin-forbidden" in response.text


@pytest.mark.parametrize("path", ["/demo-as/demo/kiosk", "/demo-as/demo/display?counter=1",
                                  "/demo-as/demo/evaluator?counter=2"])
def test_the_demo_shortcut_does_not_exist_on_another_configuration(hall: Hall, path: str):
    before = devices(hall.server)
    response = page(hall.url + path)
    assert response.status_code == 404
    assert "hall_device" not in response.headers.get("Set-Cookie", "")
    assert devices(hall.server) == before


def devices(server: RunningHall) -> list[tuple]:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("select hall, name, kind, counter from devices order by id")).all()
    finally:
        engine.dispose()


@pytest.mark.parametrize(("path", "home", "name"), [
    ("/demo-as/demo/kiosk", "/kiosk/demo", "demo-kiosk"),
    ("/demo-as/demo/display", "/display/demo", "demo-display"),
    ("/demo-as/demo/display?counter=3", "/display/demo/counters/3", "demo-display-3"),
    ("/demo-as/demo/evaluator?counter=2", "/evaluator/demo/2", "demo-evaluator-2"),
])
def test_the_demo_shortcut_opens_this_browser_as_a_device_from_this_machine(demo_server: RunningHall, path, home,
                                                                            name):
    browser = requests.Session()
    for _ in range(2):  # the second time reuses the device
        pairing = browser.get(demo_server.url + path, allow_redirects=False, timeout=10)
        assert pairing.status_code == 303 and pairing.headers["Location"].startswith("/pair/")
        paired = browser.get(demo_server.url + pairing.headers["Location"], allow_redirects=False, timeout=10)
        assert paired.status_code == 303 and paired.headers["Location"] == home
        assert browser.get(demo_server.url + home, timeout=10).status_code == 200  # the device's page opens
    assert [d for d in devices(demo_server) if d.name == name] == [
        ("demo", name, name.split("-")[1], int(name.split("-")[2]) if name.count("-") == 2 else None)]
    assert session_key(browser.cookies["hall_device"])  # the device cookie, as /pair/<code> sets it


def test_the_start_page_offers_the_demo_devices_from_this_machine(demo_server: RunningHall):
    html = page(demo_server.url + "/").text
    port = demo_server.port
    assert f'href="http://kiosk.localhost:{port}/demo-as/demo/kiosk?lang=zh"' in html
    assert f'href="http://display.localhost:{port}/demo-as/demo/display?lang=zh"' in html
    assert f"http://display-7.localhost:{port}/demo-as/demo/display?counter=7" in html
    assert f"http://evaluator-1.localhost:{port}/demo-as/demo/evaluator?counter=1" in html


@pytest.mark.parametrize("path", ["/demo-as/demo/kiosk", "/demo-as/demo/evaluator?counter=1"])
def test_the_demo_shortcut_is_refused_from_another_address_and_through_a_proxy(demo_server: RunningHall, path):
    before = devices(demo_server)
    address = other_address()
    if address is None:
        pytest.skip("this machine has no address but loopback (ip -4 addr)")
    remote = page(f"http://{address}:{demo_server.port}{path}")
    assert remote.status_code == 403, remote.text
    assert "/demo-as/" not in page(f"http://{address}:{demo_server.port}/").text
    proxied = page(demo_server.url + path, headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    assert "/demo-as/" not in page(demo_server.url + "/", headers={"X-Forwarded-For": "203.0.113.9"}).text
    assert devices(demo_server) == before


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/demo-as/demo/evaluator", 422, "no_counter"), ("/demo-as/demo/display?counter=99", 404, "unknown_counter"),
    ("/demo-as/north/kiosk", 404, "unknown_hall"), ("/demo-as/demo/booking", 404, None),
])
def test_a_bad_demo_shortcut_says_why_and_makes_nothing(demo_server: RunningHall, path, status, code):
    before = devices(demo_server)
    response = page(demo_server.url + path)
    assert response.status_code == status
    if code:
        assert response.json()["error"]["code"] == code
    assert devices(demo_server) == before


def test_a_copy_of_the_demo_file_is_not_the_demo_configuration(tmp_path: Path):
    from hall_server.config import load_config
    from hall_server.demo import runs_demo_configuration

    demo_text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    copy = tmp_path / "demo_hall.toml"
    copy.write_text(demo_text, encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(demo_text.replace("城区营业厅", "城东营业厅"), encoding="utf-8")
    demo = load_config(DEFAULT_CONFIG)
    assert runs_demo_configuration(demo, None) and runs_demo_configuration(demo, str(DEFAULT_CONFIG))
    assert runs_demo_configuration(demo, str(DEFAULT_CONFIG.parent / ".." / "config" / "demo_hall.toml"))
    assert not runs_demo_configuration(load_config(copy), str(copy))
    assert not runs_demo_configuration(load_config(changed), None)  # an app built from another configuration
