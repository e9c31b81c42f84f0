"""What every page stands on (DESIGN.md §4): front-end packages served from node_modules
(npm, package-lock.json) and nothing else from there; the base template's CSRF token,
script strings, brand colour and connection bar; the phone page's address kept private."""
import json
import re

import pytest
import requests

from hall_server.web.i18n import DEFAULT_BRAND, REPO_ROOT
from hall_server.web.pages import VENDOR_FILES

pytestmark = pytest.mark.xdist_group("pages-foundation")


def test_the_front_end_packages_are_pinned_and_served_from_node_modules(page_hall):
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    manifest = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    for name, version in manifest["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for name, path in VENDOR_FILES.items():
        response = requests.get(f"{page_hall.url}/vendor/{name}", timeout=10)
        assert response.status_code == 200 and "javascript" in response.headers["Content-Type"]
        assert response.content == (REPO_ROOT / "node_modules" / path).read_bytes()


@pytest.mark.parametrize("name", ["package.json", "..%2Fpackage.json", "socket.io-client", "socket.io.js"])
def test_nothing_else_leaves_node_modules(page_hall, name):
    assert requests.get(f"{page_hall.url}/vendor/{name}", timeout=10).status_code == 404


def test_the_base_template_carries_what_scripts_need(page_hall, page_api):
    ticket = page_api.issue("fee")
    response = requests.get(page_hall.url + ticket["tracking_url"], timeout=10)
    html = response.text
    assert re.search(r'<meta name="csrf-token" content="">', html)  # the phone page has no cookie
    assert f"--brand: {DEFAULT_BRAND};" in html
    assert re.search(r'<div id="connection"[^>]*hidden>', html)
    assert '<script id="i18n" type="application/json">' in html
    assert 'href="/static/css/tokens.css"' in html
    for asset in ["/static/css/tokens.css", "/static/js/api.js", "/static/js/live.js", "/static/js/i18n.js"]:
        assert requests.get(page_hall.url + asset, timeout=10).status_code == 200, asset
    assert "cdn" not in html.lower() and "https://" not in html  # nothing from another site


def test_the_phone_page_keeps_its_address_private(page_hall, page_api):
    ticket = page_api.issue("fee")
    for path in [ticket["tracking_url"], "/t/1-forged"]:
        response = requests.get(page_hall.url + path, timeout=10)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
