"""What the hall says when it calls a number: the phrase per language, spoken as a caller
reads it; and what a counter's LED strip shows.

A ticket number is read a character at a time: letters as letters, digits one by one
("A012" is "A 零 一 二" in Mandarin, "A 0 1 2" in English), never as a quantity ("十二").
A counter number is read as a number ("3", "12"), as people say it. The phrases' templates
come from the hall server's translation catalogue (the one its pages use, source
`hall_server/translations/zh_CN/LC_MESSAGES/messages.po`), so the words are written in one
place and a hall can reword them there.

The words of a phrase are also the names of a hall's recorded clips (`words`): "please",
the characters of the number, "go_to", the counter's digits, "counter" (services/voice.py).
"""
import re
from dataclasses import dataclass

from .catalogue import gettext
from .counters import CounterState
from .tickets import TicketStatus

LANGUAGES = ("zh", "en")
#: the Mandarin reading of each digit
DIGITS_ZH = "零一二三四五六七八九"
#: a ticket number as the hall prints it: a service's prefix and at least three digits
NUMBER = re.compile(r"^([A-Z])([0-9]{3,6})$")


def call_template(lang: str) -> str:
    return gettext("Number %(number)s, please go to counter %(counter)s", lang)


def spoken_number(number: str, lang: str) -> str:
    """The number read out, a character at a time: "A 零 一 二" / "A 0 1 2"."""
    if lang == "zh":
        return " ".join(DIGITS_ZH[int(c)] if c.isdigit() else c for c in number)
    return " ".join(number)


def spoken_counter(counter: int, lang: str) -> str:
    """The counter as people say it: "三" / "十二" in Mandarin, the figure in English."""
    if lang != "zh":
        return str(counter)
    hundreds, rest = divmod(counter, 100)
    tens, ones = divmod(rest, 10)
    words = DIGITS_ZH[hundreds] + "百" if hundreds else ""
    if tens:
        words += ("" if tens == 1 and not hundreds else DIGITS_ZH[tens]) + "十"
    elif hundreds and ones:
        words += "零"
    if ones or not words:
        words += DIGITS_ZH[ones]
    return words


@dataclass(frozen=True)
class Announcement:
    """One call in one language: the text to speak and, for recorded clips, its words."""

    lang: str
    number: str
    counter: int
    text: str

    @property
    def words(self) -> list[str]:
        """The clips that say it: please, each character of the number, go_to, each digit of
        the counter, counter (the template's fixed parts around the two values)."""
        return ["please", *self.number, "go_to", *str(self.counter), "counter"]


def announcement(number: str, counter: int, lang: str) -> Announcement:
    """The call of `number` to `counter` in `lang` ("zh" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"no announcements in {lang!r}")
    if not NUMBER.match(number):
        raise ValueError(f"{number!r} is not a ticket number")
    text = call_template(lang) % {"number": spoken_number(number, lang), "counter": spoken_counter(counter, lang)}
    return Announcement(lang, number, counter, text)


def counter_sign(counter: int, state: CounterState, ticket: str | None, ticket_status: TicketStatus | None) -> str:
    """What the counter's LED strip shows, in Chinese (what strips' fonts hold): the number
    called and where to go ("A012 请到3号窗口"), then the number while it is served, "暂停服务"
    while the counter is paused, nothing while it is closed or waits for its next customer."""
    if state is CounterState.PAUSED:
        return gettext("Counter paused", "zh")
    if state is not CounterState.SERVING or ticket is None:
        return ""
    if ticket_status is TicketStatus.CALLED:
        return gettext("%(number)s to counter %(counter)s", "zh") % {"number": ticket, "counter": counter}
    return ticket
