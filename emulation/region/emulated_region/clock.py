"""Simulated time for the emulated region."""

import time
from collections.abc import Callable
from datetime import datetime, timezone


class SimulatedClock:
    """Seconds of simulated AWS time that run `scale` times faster than real seconds.

    Changing the scale keeps simulated time continuous, so deadlines computed earlier stay valid.
    `wall()` is the same time as a date: it equals the real date when the clock starts, and every
    date the region hands out for simulated events (metric datapoints, scaling activities) is on
    it. `anchor()` is how another process (the action under test) puts its clock on it.
    """

    def __init__(
        self,
        scale: float,
        real_clock: Callable[[], float] = time.monotonic,
        real_wall: Callable[[], float] = time.time,
    ) -> None:
        self._real_clock = real_clock
        self._real_wall = real_wall
        self._scale = scale
        self._real_origin = real_clock()
        self._simulated_origin = 0.0
        self._wall_origin = real_wall()

    @property
    def scale(self) -> float:
        return self._scale

    def now(self) -> float:
        return self._simulated_origin + (self._real_clock() - self._real_origin) * self._scale

    def wall(self) -> float:
        """Simulated epoch seconds."""
        return self._wall_origin + self.now()

    def wall_date(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), timezone.utc)

    def anchor(self) -> dict[str, float]:
        """A real date and the simulated date at that same instant, with the scale: from these,
        simulated = simulatedEpochMs + (real now - realEpochMs) x timeScale, until the scale changes."""
        return {
            "realEpochMs": round(self._real_wall() * 1000, 3),
            "simulatedEpochMs": round(self.wall() * 1000, 3),
            "timeScale": self._scale,
        }

    def set_scale(self, scale: float) -> None:
        self._simulated_origin = self.now()
        self._real_origin = self._real_clock()
        self._scale = scale
