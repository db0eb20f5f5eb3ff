"""What the harness knows beyond moto's own models: settings, test-injected faults, live refreshes.

Per-resource facts (the version an instance was launched from, when a target was registered, a
group's refresh history) live on moto's model objects instead, so moto's reset drops them too.
"""

import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import SimulatedClock

if TYPE_CHECKING:
    from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup

    from .refresh import InstanceRefresh


@dataclass
class Settings:
    time_scale: float
    # None: derive from the target group, as AWS does (interval x threshold, deregistration delay).
    health_check_seconds: float | None = None
    deregistration_seconds: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "timeScale": self.time_scale,
            "healthCheckSeconds": self.health_check_seconds,
            "deregistrationSeconds": self.deregistration_seconds,
        }


@dataclass(frozen=True)
class TargetFault:
    """A target health answer forced by a test, whatever the instance's launch template version."""

    state: str
    reason: str
    description: str
    since: float


@dataclass
class Harness:
    initial_time_scale: float
    # Every moto request and every refresh step runs under this lock, so the two never interleave.
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: SimulatedClock = field(init=False)
    settings: Settings = field(init=False)
    faults: dict[str, TargetFault] = field(init=False)
    live_refreshes: list[tuple["AutoScalingBackend", "InstanceRefresh"]] = field(init=False)
    # The live data plane (dataplane/), when the server runs one; None for control-plane tests.
    data_plane: Any = None
    # True while CreateAutoScalingGroup runs: its instances stand for a fleet that was already up.
    seeding: bool = field(init=False)
    # Instances a refresh deregistered that drain until the given time, then terminate.
    terminating: list[tuple["FakeAutoScalingGroup", str, float]] = field(init=False)

    def __post_init__(self) -> None:
        self.clock = SimulatedClock(self.initial_time_scale)
        self.reset()

    def reset(self) -> None:
        self.settings = Settings(time_scale=self.initial_time_scale)
        self.clock.set_scale(self.initial_time_scale)
        self.faults = {}
        self.live_refreshes = []
        self.seeding = False
        self.terminating = []

    def update_settings(self, changes: dict[str, Any]) -> None:
        """Applies a partial settings change given in the control API's camelCase keys."""
        names = {"timeScale": "time_scale", "healthCheckSeconds": "health_check_seconds",
                 "deregistrationSeconds": "deregistration_seconds"}
        unknown = set(changes) - set(names)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        updated = asdict(self.settings)
        for key, value in changes.items():
            nullable = key != "timeScale"
            if value is None and nullable:
                updated[names[key]] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a number >= 0{' or null' if nullable else ''}")
            updated[names[key]] = float(value)
        if updated["time_scale"] <= 0:
            raise ValueError("timeScale must be greater than 0")
        self.settings = Settings(**updated)
        self.clock.set_scale(self.settings.time_scale)
