"""The words of a call and of a counter's LED strip, from the translation catalogue."""
import pytest

from hall_server.domain.announcements import announcement, counter_sign, gettext, spoken_counter, spoken_number
from hall_server.domain.counters import CounterState
from hall_server.domain.tickets import TicketStatus


def test_a_call_in_mandarin_reads_the_number_a_character_at_a_time() -> None:
    said = announcement("A012", 3, "zh")
    assert said.text == "请 A 零 一 二 号到 三 号窗口办理"
    assert said.words == ["please", "A", "0", "1", "2", "go_to", "3", "counter"]


def test_a_call_in_english() -> None:
    assert announcement("B107", 12, "en").text == "Number B 1 0 7, please go to counter 12"


def test_the_templates_come_from_the_catalogue() -> None:
    msgid = "Number %(number)s, please go to counter %(counter)s"
    assert gettext(msgid, "zh") == "请 %(number)s 号到 %(counter)s 号窗口办理"
    assert gettext(msgid, "en") == msgid
    assert gettext("no such message", "zh") == "no such message"


@pytest.mark.parametrize(("counter", "words"), [(1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"),
                                                  (23, "二十三"), (100, "一百"), (105, "一百零五"), (110, "一百一十"),
                                                  (999, "九百九十九")])
def test_a_counter_is_read_as_a_number_in_mandarin(counter: int, words: str) -> None:
    assert spoken_counter(counter, "zh") == words
    assert spoken_counter(counter, "en") == str(counter)


def test_numbers_keep_every_digit() -> None:
    assert spoken_number("C1000", "zh") == "C 一 零 零 零"
    assert spoken_number("C1000", "en") == "C 1 0 0 0"


@pytest.mark.parametrize(("number", "lang"), [("a012", "zh"), ("A12", "zh"), ("AB012", "en"), ("A012;rm", "en"),
                                              ("A012", "fr")])
def test_only_ticket_numbers_in_known_languages_are_spoken(number: str, lang: str) -> None:
    with pytest.raises(ValueError):
        announcement(number, 1, lang)


def test_what_a_counters_strip_shows() -> None:
    serving, called = TicketStatus.SERVING, TicketStatus.CALLED
    assert counter_sign(3, CounterState.SERVING, "A012", called) == "A012 请到3号窗口"
    assert counter_sign(3, CounterState.SERVING, "A012", serving) == "A012"
    assert counter_sign(3, CounterState.PAUSED, None, None) == "暂停服务"
    assert counter_sign(3, CounterState.IDLE, None, None) == ""
    assert counter_sign(3, CounterState.CLOSED, None, None) == ""
