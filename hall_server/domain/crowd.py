"""The people in a waiting area, as a camera estimates them (issue 12).

A detector's count of one picture jumps: someone hidden behind a pillar, two people taken for
one, a passer-by. The estimate the hall sees is steadier: the median of the last samples,
and it changes only when that median has stayed on one side of it for a while: more than a
quarter of the window when it is `JUMP` or more away, more than half the window when it is
closer. So a board does not flicker between two counts, the log records a change and not
every sample, and a crowd that really came shows within seconds.
"""
from collections import deque
from statistics import median_low

#: a median this far from the estimate replaces it after a quarter of the window, a nearer
#: one after half of it
JUMP = 2


class Smoother:
    """Turns each sample's count into the estimate: `add` returns the new estimate when it
    changes (the first one once half the window is sampled), else None."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.samples: deque[int] = deque(maxlen=window)
        self.estimate: int | None = None
        #: how many medians in a row have been on one side of the estimate, and which (+1/-1)
        self._held = 0
        self._side = 0

    def add(self, count: int) -> int | None:
        self.samples.append(count)
        if 2 * len(self.samples) < self.window:
            return None
        middle = median_low(self.samples)
        if self.estimate is None:
            return self._take(middle)
        side = (middle > self.estimate) - (middle < self.estimate)
        if side != self._side:
            self._held, self._side = 0, side
        if not side:
            return None
        self._held += 1
        share = 4 if abs(middle - self.estimate) >= JUMP else 2
        return self._take(middle) if share * self._held > self.window else None

    def reset(self) -> None:
        """Forget the samples (the stream was lost: what comes back starts afresh)."""
        self.samples.clear()
        self.estimate, self._held, self._side = None, 0, 0

    def _take(self, middle: int) -> int:
        self.estimate, self._held, self._side = middle, 0, 0
        return middle
