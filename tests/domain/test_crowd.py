"""The Smoother: a detector's jumpy counts become a steady estimate that changes only when
the people in the area really changed."""
from hall_server.domain.crowd import JUMP, Smoother


def feed(smoother: Smoother, counts: list[int]) -> list[int | None]:
    return [smoother.add(count) for count in counts]


def test_the_first_estimate_comes_at_half_a_window() -> None:
    assert feed(Smoother(6), [4, 5, 4]) == [None, None, 4]  # the median of 4, 5, 4
    assert feed(Smoother(5), [7, 7, 3]) == [None, None, 7]  # 3 of 5 is past half
    assert feed(Smoother(1), [2]) == [2]


def test_a_lone_wrong_count_changes_nothing() -> None:
    smoother = Smoother(5)
    assert feed(smoother, [4, 4, 4, 12, 4, 0, 4, 4]) == [None, None, 4, None, None, None, None, None]
    assert smoother.estimate == 4


def test_a_jump_of_two_or_more_replaces_the_estimate_after_a_quarter_of_a_window() -> None:
    smoother = Smoother(5)
    assert feed(smoother, [3, 3, 3]) == [None, None, 3]
    # the median of the last five moves once most of them see the crowd, and must stay
    # there for two medians (2 of 5 is more than a quarter)
    assert feed(smoother, [8, 8, 8, 8]) == [None, None, None, 8]
    assert JUMP == 2
    assert feed(smoother, [2, 2, 2, 2]) == [None, None, None, 2]  # and back down as fast


def test_a_median_that_swings_either_side_changes_nothing() -> None:
    """People walking through: counts of 4 and 6 by turns make the median of 15 swing from one
    to the other at every sample; the estimate stays where it first was."""
    found = feed(Smoother(15), [4, 6] * 30)
    assert [estimate for estimate in found if estimate is not None] == [4]


def test_a_change_of_one_must_hold_for_more_than_half_a_window() -> None:
    smoother = Smoother(4)
    assert feed(smoother, [5, 5]) == [None, 5]
    # the median (the lower of the middle two) reaches 6 at the third 6; it must then hold
    # for three medians (3 of 4 is more than half)
    assert feed(smoother, [6, 6, 6, 6, 6]) == [None, None, None, None, 6]
    # a change of one that does not hold is forgotten: the count held resets on the estimate
    assert feed(smoother, [5, 6, 5, 6, 6, 6]) == [None] * 6  # the median: 6, 6, 5, 5, 6, 6
    assert smoother.estimate == 6
    assert feed(smoother, [5, 6, 5, 5, 5]) == [None] * 4 + [5]  # the median: 6, 6, 5, 5, 5


def test_reset_forgets_the_samples_and_the_estimate() -> None:
    smoother = Smoother(4)
    assert feed(smoother, [9, 9]) == [None, 9]
    smoother.reset()
    assert smoother.estimate is None
    # a fresh start: again half a window first, and the same value is an estimate again
    assert feed(smoother, [9, 9]) == [None, 9]
