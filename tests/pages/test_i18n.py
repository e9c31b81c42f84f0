"""The pages' translation catalogues (DESIGN.md §4 "Translations"): every msgid a package's
templates and code use has its zh_CN translation, with the same placeholders; two packages
translate a msgid they share alike; a page is in Chinese unless `?lang=en` (or the `lang`
cookie it leaves) asks for English."""
import json
import re
from pathlib import Path

import pytest
import requests
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hall_server.web.i18n import LANG_COOKIE, REPO_ROOT
from hall_server.web.pages import PHONE_STRINGS

pytestmark = pytest.mark.xdist_group("pages-i18n")

PACKAGES = ["hall_server", "kiosk"]


def catalogue_path(package: str) -> Path:
    return REPO_ROOT / package / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def catalogue(package: str):
    path = catalogue_path(package)
    if not path.exists():
        pytest.skip(f"{package} has no zh_CN catalogue")
    with path.open("rb") as f:
        return read_po(f)


def used_msgids(package: str) -> set[str]:
    """What `make messages` extracts from the package (babel.cfg)."""
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {msgid if isinstance(msgid, str) else msgid[0]
            for _file, _line, msgid, _comments, _context in extract_from_dir(REPO_ROOT / package, method_map,
                                                                            options_map)}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_msgid_in_use_has_a_chinese_translation(package):
    translations = catalogue(package)
    used = used_msgids(package)
    assert used, f"nothing extracted from {package}"
    untranslated = sorted(msgid for msgid in used
                          if not (translations.get(msgid) and translations[msgid].string
                                  and not translations[msgid].fuzzy))
    assert not untranslated, f"run `make messages` and translate in {catalogue_path(package)}: {untranslated}"
    problems = [(message.id, errors) for message, errors in translations.check()]
    assert not problems, problems  # e.g. a placeholder missing from the translation


def test_the_phone_page_scripts_strings_are_extracted():
    assert set(PHONE_STRINGS) <= used_msgids("hall_server")


def test_packages_translate_a_shared_msgid_alike():
    catalogues = {package: {m.id: m.string for m in catalogue(package) if m.id} for package in PACKAGES}
    first, second = catalogues.values()
    differing = {msgid: (first[msgid], second[msgid]) for msgid in first.keys() & second.keys()
                 if first[msgid] != second[msgid]}
    assert not differing, f"one page would show another's wording: {differing}"


def page(page_hall, path: str, lang: str | None = None, cookie: str | None = None) -> requests.Response:
    response = requests.get(page_hall.url + path, params={"lang": lang} if lang else None,
                            cookies={LANG_COOKIE: cookie} if cookie else None, timeout=10)
    assert response.status_code == 200, response.text
    return response


def script_strings(html: str) -> dict:
    return json.loads(re.search(r'<script id="i18n" type="application/json">(.*?)</script>', html, re.S)[1])


def test_a_page_is_chinese_unless_english_is_asked_for(page_hall, page_api):
    path = page_api.issue("fee")["tracking_url"]
    chinese = page(page_hall, path)
    assert '<html lang="zh-CN">' in chinese.text and "等候中" in chinese.text and "Waiting" not in chinese.text
    assert script_strings(chinese.text)["Your turn"] == "轮到您了"
    assert LANG_COOKIE not in chinese.cookies

    english = page(page_hall, path, lang="en")
    assert '<html lang="en">' in english.text and "Waiting" in english.text and "等候中" not in english.text
    assert script_strings(english.text)["Your turn"] == "Your turn"
    assert english.cookies[LANG_COOKIE] == "en"

    assert "Waiting" in page(page_hall, path, cookie="en").text  # the cookie remembers
    back = page(page_hall, path, lang="zh", cookie="en")
    assert "等候中" in back.text and back.cookies[LANG_COOKIE] == "zh"
    assert "等候中" in page(page_hall, path, lang="fr").text  # an unknown language: the default
