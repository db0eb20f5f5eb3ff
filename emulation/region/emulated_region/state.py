"""The harness: the region's lock, simulated clock and settings, and the parts that extend moto.

A part is one behaviour moto lacks (instance refresh, target health, Run Command, ...), with
everything it needs in one place (see ../../README.md, "Adding a behaviour"):

- its state: dataclass fields with defaults, which are what a fresh region holds;
- `reset()`: back to those defaults when moto resets (override it to stop what still runs first);
- `routes()`: its /_harness/ control endpoints;
- `install()`: its wrappers around moto's classes, applied once per process;
- `advance()`: moves what it simulates to the current time, under the lock, before every request
  and on the server's ticker; `start(endpoint, stop)`: background work of the running server;
- `describe()`: its entries in GET /_harness/state.

Per-resource facts (the version an instance was launched from, when a target was registered, a
group's refresh history) live on moto's model objects instead, so moto's reset drops them too.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, TypeVar

from .clock import SimulatedClock

Route = Callable[[Any], dict[str, Any]]
Routes = dict[tuple[str, str], Route]


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


@dataclass
class Part:
    """One behaviour of the emulated region (see the module's docstring). Subclasses declare their
    state as fields with defaults (`field(default_factory=...)` for containers)."""

    harness: "Harness" = field(repr=False, compare=False)

    def reset(self) -> None:
        """Every state field back to its default, as in a fresh region."""
        for spec in fields(self):
            if spec.name == "harness":
                continue
            if spec.default_factory is not MISSING:
                setattr(self, spec.name, spec.default_factory())
            elif spec.default is not MISSING:
                setattr(self, spec.name, spec.default)

    def routes(self) -> Routes:
        return {}

    def install(self) -> None:
        """Wraps moto's classes; the wrappers reach this part's state through `self`."""

    def advance(self) -> None:
        """Moves what the part simulates to the harness clock's now."""

    def start(self, endpoint: str, stop: threading.Event) -> None:
        """Starts the part's background work in the running server; it ends when `stop` is set."""

    def describe(self) -> dict[str, Any]:
        return {}


PartType = TypeVar("PartType", bound=Part)


class Harness:
    def __init__(self, initial_time_scale: float, parts: Iterable[Callable[["Harness"], Part]] = ()) -> None:
        self.initial_time_scale = initial_time_scale
        # Every moto request and every part's advance runs under this lock, so they never interleave.
        self.lock = threading.RLock()
        self.clock = SimulatedClock(initial_time_scale)
        self.settings = Settings(time_scale=initial_time_scale)
        # The live data plane (dataplane/), when the server runs one; None for control-plane tests.
        self.data_plane: Any = None
        self.parts: list[Part] = []
        for make in parts:
            self.add(make(self))

    def add(self, part: Part) -> Part:
        if any(type(known) is type(part) for known in self.parts):
            raise ValueError(f"the harness already has a {type(part).__name__}")
        self.parts.append(part)
        return part

    def part(self, kind: type[PartType]) -> PartType:
        """The harness's part of this type; a KeyError names a part the harness was built without."""
        found = next((part for part in self.parts if isinstance(part, kind)), None)
        if found is None:
            raise KeyError(f"the harness has no {kind.__name__} part")
        return found

    def install(self) -> None:
        for part in self.parts:
            part.install()

    def reset(self) -> None:
        self.settings = Settings(time_scale=self.initial_time_scale)
        self.clock.set_scale(self.initial_time_scale)
        for part in self.parts:
            part.reset()

    def advance(self) -> None:
        for part in self.parts:
            part.advance()

    def routes(self) -> Routes:
        routes: Routes = {}
        for part in self.parts:
            for key, handler in part.routes().items():
                if key in routes:
                    raise ValueError(f"two parts answer {key[0]} {key[1]}")
                routes[key] = handler
        return routes

    def describe(self) -> dict[str, Any]:
        # "dataPlane" is null unless the data plane part runs and describes itself.
        described: dict[str, Any] = {
            "settings": self.settings.as_json(),
            "simulatedSeconds": round(self.clock.now(), 3),
            "clock": self.clock.anchor(),
            "dataPlane": None,
        }
        for part in self.parts:
            described.update(part.describe())
        return described

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
