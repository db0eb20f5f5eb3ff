"""An instance refresh's CloudWatch alarms (Preferences.AlarmSpecification), kept apart from the
refresh's replacement logic (refresh.py) and hooked in by wrapping `refresh.start`.

AWS sources:
- StartInstanceRefresh, RefreshPreferences (Auto Scaling API reference): `AlarmSpecification`
  "CloudWatch alarms can be used to identify any issues and fail the operation if an alarm
  threshold is met"; `AlarmSpecification.Alarms`: "You can specify up to 10 alarms". `BakeTime`:
  "the amount of time, in seconds, to wait at the end of an instance refresh before the instance
  refresh is considered complete" (status Baking, refresh.py).
- "Instance refresh: use CloudWatch alarms" / "Undo changes with a rollback" (Auto Scaling user
  guide): the alarms are watched while the refresh replaces instances and while it bakes; an alarm
  in ALARM fails the refresh, and with AutoRollback the refresh rolls back.
AWS is silent on the exact StatusReason wording and on how soon after the alarm's transition the
refresh reacts; here it is the next advance of the region (before the next request, or the
ticker), and the wording is the harness's own: the action reads neither.
"""

from dataclasses import dataclass
from typing import Any

from moto.autoscaling.exceptions import ValidationError
from moto.cloudwatch.models import cloudwatch_backends

from . import refresh as refreshes
from .refresh_model import InstanceRefresh
from .state import Part

MAX_ALARMS = 10
WATCHED = frozenset({"InProgress", "Baking"})


def alarms_of(refresh: InstanceRefresh) -> list[str]:
    return refresh.__dict__.get("harness_alarms", [])


def _alarm_specification(backend: Any, raw_preferences: dict[str, Any]) -> list[str]:
    names = list((raw_preferences.get("AlarmSpecification") or {}).get("Alarms") or [])
    if len(names) > MAX_ALARMS:
        raise ValidationError(f"AlarmSpecification can name up to {MAX_ALARMS} alarms.")
    watch = cloudwatch_backends[backend.account_id][backend.region_name]
    missing = [name for name in names if name not in watch.alarms]
    if missing:
        # AWS documents no error for this; refusing is what a caller must be ready for anyway.
        raise ValidationError(f"The alarms {', '.join(missing)} do not exist.")
    return names


@dataclass
class RefreshAlarms(Part):
    def install(self) -> None:
        start, describe = refreshes.start, InstanceRefresh.describe

        def start_with_alarms(harness: Any, backend: Any, group_name: str, strategy: str,
                              desired_configuration: Any, raw_preferences: dict[str, Any]) -> InstanceRefresh:
            names = _alarm_specification(backend, raw_preferences)
            refresh = start(harness, backend, group_name, strategy, desired_configuration, raw_preferences)
            refresh.__dict__["harness_alarms"] = names
            return refresh

        def describe_with_alarms(refresh: InstanceRefresh) -> dict[str, Any]:
            described = describe(refresh)
            if alarms_of(refresh):
                described["Preferences"]["AlarmSpecification"] = {"Alarms": alarms_of(refresh)}
            return described

        refreshes.start = start_with_alarms
        InstanceRefresh.describe = describe_with_alarms  # type: ignore[method-assign]

    def advance(self) -> None:
        """A watched refresh (InProgress or Baking, not a rollback) fails on an alarm in ALARM."""
        for backend, refresh in list(self.harness.part(refreshes.InstanceRefreshes).live):
            if refresh.status not in WATCHED or refresh.rollback_details or not alarms_of(refresh):
                continue
            group = backend.autoscaling_groups.get(refresh.group_name)
            watch = cloudwatch_backends[backend.account_id][backend.region_name]
            fired = next((watch.alarms[name] for name in alarms_of(refresh)
                          if name in watch.alarms and watch.alarms[name].state_value == "ALARM"), None)
            if group is not None and fired is not None:
                refreshes._fail(self.harness, group, refresh,
                                f"The instance refresh failed because alarm {fired.name} went into ALARM state "
                                f"while the refresh was {refresh.status}.")
