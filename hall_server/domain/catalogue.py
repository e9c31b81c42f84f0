"""The hall server's own words in Chinese, read from its translation catalogue (the one its
pages use, source `hall_server/translations/zh_CN/LC_MESSAGES/messages.po`), for what the
domain says outside a request: calls, LED signs, alert messages."""
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[1] / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


@cache
def _zh_catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if isinstance(m.id, str) and m.id and m.string}


def N_(msgid: str) -> str:  # noqa: N802 (the name pybabel extracts by default)
    """Marks a msgid for extraction that is translated later."""
    return msgid


def gettext(msgid: str, lang: str) -> str:
    """`msgid` (English) in `lang`, from the catalogue; the msgid itself in English or when
    the catalogue lacks it."""
    return _zh_catalogue().get(msgid, msgid) if lang == "zh" else msgid
