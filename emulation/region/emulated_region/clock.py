"""Simulated time for the emulated region."""

import time
from collections.abc import Callable


class SimulatedClock:
    """Seconds of simulated AWS time that run `scale` times faster than real seconds.

    Changing the scale keeps simulated time continuous, so deadlines computed earlier stay valid.
    """

    def __init__(self, scale: float, real_clock: Callable[[], float] = time.monotonic) -> None:
        self._real_clock = real_clock
        self._scale = scale
        self._real_origin = real_clock()
        self._simulated_origin = 0.0

    @property
    def scale(self) -> float:
        return self._scale

    def now(self) -> float:
        return self._simulated_origin + (self._real_clock() - self._real_origin) * self._scale

    def set_scale(self, scale: float) -> None:
        self._simulated_origin = self.now()
        self._real_origin = self._real_clock()
        self._scale = scale
