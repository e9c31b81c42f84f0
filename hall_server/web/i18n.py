"""The pages' languages: Chinese (zh_CN) first, English beside it.

Templates and scripts take their text from Flask-Babel catalogues, one per package
(`hall_server/translations`, `kiosk/translations`), with English msgids that the zh_CN
catalogue translates. `?lang=zh|en` on any page picks the language and a `lang` cookie
remembers it; without either a page is in Chinese. Scripts get their strings from the same
catalogues: a view passes `js_strings=js_strings(...)` and base.html embeds them.
"""
import re
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import Babel, force_locale, get_locale, gettext

REPO_ROOT = Path(__file__).resolve().parents[2]
#: every package's catalogue (the kiosk is a top-level package of its own)
TRANSLATION_DIRS = (REPO_ROOT / "hall_server" / "translations", REPO_ROOT / "kiosk" / "translations",
                    REPO_ROOT / "display" / "translations")
#: ?lang= value -> the locale it picks; the first is the default
LOCALES = {"zh": "zh_CN", "en": "en"}
DEFAULT_LANG = "zh"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
#: the hall's brand colour when its configuration names none (State Grid green)
DEFAULT_BRAND = "#00706b"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def init_app(app: Flask) -> None:
    app.config.update(
        BABEL_DEFAULT_LOCALE=LOCALES[DEFAULT_LANG],
        BABEL_TRANSLATION_DIRECTORIES=";".join(str(path) for path in TRANSLATION_DIRS),
    )
    Babel(app, locale_selector=_locale, timezone_selector=_timezone)
    app.add_template_global(current_lang)
    app.add_template_global(other_)
    app.add_template_global(html_lang)
    app.add_template_global(lang_url)
    app.add_template_global(brand_colour)
    app.after_request(_remember_lang)


def other_(msgid: str) -> str:
    """The text in the page's other language, for the lines a customer's screen shows in both
    (bilingual signage, as the service norms ask)."""
    with force_locale("zh_CN" if current_lang() == "en" else "en"):
        return gettext(msgid)


def current_lang() -> str:
    """"zh" or "en": the language of this request."""
    return "en" if get_locale().language == "en" else "zh"


def html_lang() -> str:
    """The page's `<html lang>`."""
    return "en" if current_lang() == "en" else "zh-CN"


def lang_url(lang: str) -> str:
    """This page's address in another language."""
    return f"{request.path}?{urlencode({**request.args.to_dict(), 'lang': lang})}"


def js_strings(*msgids: str) -> dict[str, str]:
    """The translations of the strings a page's scripts show (i18n.js `t(msgid)` reads them)."""
    return {msgid: gettext(msgid) for msgid in msgids}


def brand_colour(hall_id: str | None = None) -> str:
    """The hall's brand colour (`brand_colour` in its configuration, else in the file's top
    level), State Grid green if neither names one."""
    config = current_app.extensions["hall"].config
    hall = next((h for h in config.halls if h.id == hall_id), None)
    colour = getattr(hall, "brand_colour", None) or getattr(config, "brand_colour", None)
    return colour if isinstance(colour, str) and _COLOUR.fullmatch(colour) else DEFAULT_BRAND


def _requested_lang() -> str | None:
    lang = request.args.get("lang")
    return lang if lang in LOCALES else None


def _locale() -> str:
    lang = _requested_lang() or request.cookies.get(LANG_COOKIE)
    return LOCALES.get(lang or DEFAULT_LANG, LOCALES[DEFAULT_LANG])


def _timezone() -> str:
    """The timezone of the page's hall: the view's `hall` argument, or `g.hall_id` a view
    sets (the phone page), else the first hall's."""
    config = current_app.extensions["hall"].config
    hall_id = g.get("hall_id") or (request.view_args or {}).get("hall")
    hall = next((h for h in config.halls if h.id == hall_id), config.halls[0])
    return hall.timezone


def _remember_lang(response: ResponseReturnValue):
    lang = _requested_lang()
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE_S, samesite="Lax")
    return response
