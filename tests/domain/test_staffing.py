"""The Erlang C staffing model against known values: hand-derived fractions, the direct
factorial formula (exact, in fractions) and a published call-centre example."""
import math
from fractions import Fraction

import pytest

from hall_server.domain.staffing import MAX_COUNTERS, Advice, Staffing, erlang_c, recommend, share_waiting_past


def erlang_c_by_factorials(servers: int, load: float) -> Fraction:
    """C(c, A) = (A^c / c! · c / (c − A)) / (Σ_{k<c} A^k / k! + A^c / c! · c / (c − A)), exactly."""
    a = Fraction(load)
    top = a ** servers / math.factorial(servers) * servers / (servers - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(servers)) + top)


@pytest.mark.parametrize(("servers", "load", "expected"), [
    (3, 2, Fraction(4, 9)),  # (8/6 · 3) / (1 + 2 + 2 + 4) = 4 / 9
    (2, 1, Fraction(1, 3)),  # (1/2 · 2) / (1 + 1 + 1) = 1 / 3
    (3, 1, Fraction(1, 11)),  # (1/6 · 3/2) / (1 + 1 + 1/2 + 1/4) = 1 / 11
    (4, 3, Fraction(27, 53)),  # (81/24 · 4) / (1 + 3 + 9/2 + 9/2 + 27/2) = 27 / 53
])
def test_erlang_c_of_hand_derived_cases(servers, load, expected):
    assert erlang_c(servers, load) == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("servers", [1, 2, 5, 12, 30, 80])
@pytest.mark.parametrize("utilisation", [0.05, 0.3, 0.7, 0.95, 0.999])
def test_erlang_c_matches_the_factorial_formula(servers, utilisation):
    load = servers * utilisation
    assert erlang_c(servers, load) == pytest.approx(float(erlang_c_by_factorials(servers, load)), rel=1e-9)


def test_a_published_call_centre_example():
    """100 calls in 30 minutes, 3 minutes each: 10 Erlangs (callcentrehelper.com's worked
    example): 68.2% wait with 11 agents, 17.4% with 14; answered within 20 s: 39.0% and 88.8%."""
    load = 100 / 1800 * 180
    assert load == pytest.approx(10)
    for agents, waits in [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741)]:
        assert erlang_c(agents, load) == pytest.approx(waits, abs=5e-5)
        assert erlang_c(agents, load) == pytest.approx(float(erlang_c_by_factorials(agents, load)), rel=1e-9)
    assert 1 - share_waiting_past(11, load, 180, 20) == pytest.approx(0.3896, abs=5e-5)
    assert 1 - share_waiting_past(14, load, 180, 20) == pytest.approx(0.8884, abs=5e-5)


def test_erlang_c_edges():
    assert erlang_c(3, 3) == 1.0  # the queue only grows
    assert erlang_c(3, 4.5) == 1.0
    assert erlang_c(0, 0) == 1.0  # no counter: everyone waits
    assert erlang_c(4, 0) == 0.0  # nobody comes: nobody waits
    many = erlang_c(500, 480)  # factorials of 500 would overflow a float: the recursion does not
    assert 0 < many < 1
    assert many == pytest.approx(float(erlang_c_by_factorials(500, 480)), rel=1e-9)


def test_the_share_waiting_past_a_threshold():
    # C(3, 2) = 4/9; those who wait, wait exponentially at rate (c − A) / mean = 1 / 300 s
    assert share_waiting_past(3, 2, 300, 300) == pytest.approx(4 / 9 * math.exp(-1))
    assert share_waiting_past(3, 2, 300, 0) == pytest.approx(4 / 9)
    assert share_waiting_past(2, 2, 300, 900) == 1.0
    assert share_waiting_past(2, 0, 300, 900) == 0.0
    assert share_waiting_past(2, 0, 0, 900) == 0.0  # no handling measured: no load, no division


def test_a_shortage_advises_opening_counters():
    # 60 arrivals in 30 min (120/h) × 300 s = 10 Erlangs; 10 counters cannot keep up, at 11
    # C = 0.682 and 0.682 · e^(−1 · 900/300) = 0.034 wait past 15 min: 11 needed
    plan = recommend("fee", 60, 1800, 300, 8, 900, 0.2)
    assert (plan.arrivals_per_h, plan.load, plan.needed, plan.open) == (pytest.approx(120), pytest.approx(10), 11, 8)
    assert plan.advice is Advice.OPEN and plan.more == 3
    assert plan.share_past_warning == 1.0  # 8 counters under 10 Erlangs: the queue only grows
    assert recommend("fee", 60, 1800, 300, 10, 900, 0.2).more == 1
    assert recommend("fee", 60, 1800, 300, 11, 900, 0.2).advice is Advice.OK


def test_a_surplus_lets_one_counter_pause():
    # 6 arrivals in 30 min × 300 s = 1 Erlang: 2 counters keep C = 1/3, 1/3 · e^−3 = 0.017
    plan = recommend("fee", 6, 1800, 300, 4, 900, 0.2)
    assert (plan.load, plan.needed) == (pytest.approx(1), 2)
    assert plan.share_past_warning == pytest.approx(float(erlang_c_by_factorials(4, 1)) * math.exp(-3 * 900 / 300))
    assert plan.advice is Advice.PAUSE and plan.more == 0
    assert recommend("fee", 6, 1800, 300, 3, 900, 0.2).advice is Advice.PAUSE
    assert recommend("fee", 6, 1800, 300, 2, 900, 0.2).advice is Advice.OK


def test_the_target_decides_the_counters():
    # 1 Erlang, threshold 0: the share is C itself; C(2, 1) = 1/3 > 0.2, C(3, 1) = 1/11 ≤ 0.2
    assert recommend("fee", 6, 1800, 300, 1, 0, 0.2).needed == 3
    assert recommend("fee", 6, 1800, 300, 1, 0, 0.34).needed == 2


def test_quiet_and_unstaffed_services():
    quiet = recommend("fee", 0, 1800, 300, 2, 900, 0.2)
    assert (quiet.load, quiet.needed, quiet.share_past_warning, quiet.advice) == (0, 0, 0.0, Advice.PAUSE)
    assert recommend("fee", 0, 1800, 300, 1, 900, 0.2).advice is Advice.OK  # the last one stays open
    nobody_yet = recommend("fee", 0, 1800, 300, 0, 900, 0.2)  # nobody comes: no counter to open for it
    assert (nobody_yet.needed, nobody_yet.advice, nobody_yet.more) == (0, Advice.OK, 0)
    unstaffed = recommend("fee", 6, 1800, 300, 0, 900, 0.2)
    assert (unstaffed.share_past_warning, unstaffed.advice, unstaffed.more) == (None, Advice.OPEN, 2)
    flood = recommend("fee", 2000, 1800, 300, 5, 900, 0.2)  # 333 Erlangs: past any hall
    assert flood.needed == MAX_COUNTERS


def test_the_figures_as_json_values():
    plan = Staffing("fee", 120.04, 300.06, 10.0049, 8, 11, 0.123456)
    assert plan.as_data() == {"arrivals_per_h": 120.0, "mean_handling_s": 300.1, "load": 10.0, "open": 8,
                              "needed": 11, "share_past_warning": 0.123, "advice": "open", "more": 3}
    assert Staffing("fee", 0, 300, 0, 0, 1, None).as_data()["share_past_warning"] is None
