"""What an instance refresh is: its validated preferences, its current batch, and the refresh as
DescribeInstanceRefreshes reports it. The behaviour that moves it is refresh.py's."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.autoscaling.exceptions import ValidationError

from .versions import LaunchSource


@dataclass(frozen=True)
class Preferences:
    min_healthy: int = 90
    max_healthy: int = 100
    # Whether the request set MaxHealthyPercentage: AWS then launches before it terminates when the
    # bounds leave no room; without it, AWS terminates and launches at the same time.
    max_healthy_set: bool = False
    instance_warmup: int | None = None
    checkpoint_percentages: tuple[int, ...] = ()
    checkpoint_delay: int = 3600
    skip_matching: bool = False
    auto_rollback: bool = False
    bake_time: int = 0
    scale_in_protected_instances: str = "Wait"
    standby_instances: str = "Wait"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "Preferences":
        """Validates the request's Preferences the way StartInstanceRefresh does."""
        min_healthy = raw.get("MinHealthyPercentage", 90)
        max_healthy = raw.get("MaxHealthyPercentage")
        if not 0 <= min_healthy <= 100:
            raise ValidationError("MinHealthyPercentage must be between 0 and 100.")
        if max_healthy is not None:
            if "MinHealthyPercentage" not in raw:
                raise ValidationError("You must specify MinHealthyPercentage when you specify MaxHealthyPercentage.")
            if not 100 <= max_healthy <= 200:
                raise ValidationError("MaxHealthyPercentage must be between 100 and 200.")
            if max_healthy - min_healthy > 100:
                raise ValidationError(
                    "The difference between MaxHealthyPercentage and MinHealthyPercentage cannot be greater than 100."
                )
        checkpoints = tuple(raw.get("CheckpointPercentages") or ())
        if "CheckpointDelay" in raw and not checkpoints:
            raise ValidationError("You must specify CheckpointPercentages when you specify CheckpointDelay.")
        if any(not 1 <= p <= 100 for p in checkpoints) or list(checkpoints) != sorted(set(checkpoints)):
            raise ValidationError("CheckpointPercentages must be unique values from 1 to 100 in ascending order.")
        for name in ("CheckpointDelay", "BakeTime"):
            if not 0 <= raw.get(name, 0) <= 172800:
                raise ValidationError(f"{name} must be between 0 and 172800 seconds.")
        if raw.get("InstanceWarmup", 0) < 0:
            raise ValidationError("InstanceWarmup must be 0 or greater.")
        return cls(
            min_healthy=min_healthy,
            max_healthy=100 if max_healthy is None else max_healthy,
            max_healthy_set=max_healthy is not None,
            instance_warmup=raw.get("InstanceWarmup"),
            checkpoint_percentages=checkpoints,
            checkpoint_delay=raw.get("CheckpointDelay", 3600),
            skip_matching=raw.get("SkipMatching", False),
            auto_rollback=raw.get("AutoRollback", False),
            bake_time=raw.get("BakeTime", 0),
            scale_in_protected_instances=raw.get("ScaleInProtectedInstances", "Wait"),
            standby_instances=raw.get("StandbyInstances", "Wait"),
        )

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "MinHealthyPercentage": self.min_healthy,
            "SkipMatching": self.skip_matching,
            "AutoRollback": self.auto_rollback,
            "ScaleInProtectedInstances": self.scale_in_protected_instances,
            "StandbyInstances": self.standby_instances,
            "BakeTime": self.bake_time,
        }
        if self.max_healthy_set:
            described["MaxHealthyPercentage"] = self.max_healthy
        if self.instance_warmup is not None:
            described["InstanceWarmup"] = self.instance_warmup
        if self.checkpoint_percentages:
            described["CheckpointPercentages"] = list(self.checkpoint_percentages)
            described["CheckpointDelay"] = self.checkpoint_delay
        return described


@dataclass
class Batch:
    new_ids: list[str]
    # Instances this batch replaces that are still running: terminated once the new ones are ready.
    replacing: list[str]
    size: int


@dataclass
class InstanceRefresh:
    group_name: str
    strategy: str
    preferences: Preferences
    desired_configuration: dict[str, Any] | None
    target: LaunchSource
    # The group's configuration when the refresh started: what a rollback returns to.
    previous: LaunchSource
    previous_version_name: str
    warmup: float
    to_replace: list[str]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "Pending"
    status_reason: str | None = None
    start_time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    end_time: datetime | None = None
    total: int = 0
    replaced: int = 0
    batch: Batch | None = None
    resume_at: float | None = None  # end of a checkpoint delay or of the bake time
    checkpoints_left: list[int] = field(default_factory=list)
    rollback_details: dict[str, Any] | None = None
    # Scale-in protected / Standby instances the refresh waits for (preference Wait), and since when.
    held_ids: list[str] = field(default_factory=list)
    waiting_since: float | None = None
    # Since when the current batch waits on replacements of new instances that failed their health
    # checks (AWS retries for an hour, then fails the refresh), and how many were replaced.
    retrying_since: float | None = None
    failed_replacements: int = 0

    @property
    def percentage_complete(self) -> int:
        return 100 if self.total == 0 else 100 * self.replaced // self.total

    @property
    def instances_to_update(self) -> int:
        if self.rollback_details:
            return self.rollback_details["InstancesToUpdateOnRollback"]
        return len(self.to_replace) + (self.batch.size if self.batch else 0)

    def progress(self) -> dict[str, Any]:
        return {
            "LivePoolProgress": {
                "PercentageComplete": self.percentage_complete,
                "InstancesToUpdate": self.instances_to_update,
            }
        }

    def describe(self) -> dict[str, Any]:
        return {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StatusReason": self.status_reason,
            "StartTime": self.start_time,
            "EndTime": self.end_time,
            "PercentageComplete": self.percentage_complete,
            "InstancesToUpdate": self.instances_to_update,
            "ProgressDetails": self.progress(),
            "Preferences": self.preferences.describe(),
            "DesiredConfiguration": self.desired_configuration,
            "RollbackDetails": self.rollback_details,
            "Strategy": self.strategy,
        }
