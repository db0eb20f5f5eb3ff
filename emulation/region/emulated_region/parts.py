"""The emulated region's parts, in the order they install, reset and advance.

Order matters where two parts wrap the same moto method (the later one wraps the earlier: the
zone placement's `unused` overrides target health's verdict) and where one part's advance feeds
another's (draining finishes, and unhealthy instances are replaced, before refreshes look at the
group). A new behaviour is one module
with its Part (see state.py) plus one line here.
"""

from collections.abc import Callable

from .alb_metrics import AlbMetrics
from .api import InstanceRefreshApi
from .cpu import CpuMetrics
from .fidelity import AwsAnswers
from .health import TargetHealth
from .health_replacement import UnhealthyReplacement
from .iam import CommercialManagedPolicies
from .instance_hosts import InstanceHosts
from .placement import ZonePlacement
from .refresh import InstanceRefreshes
from .refresh_alarms import RefreshAlarms
from .refresh_rules import RefreshUpdateRules
from .run_command import RunCommand
from .state import Harness, Part
from .target_tracking import TargetTracking
from .termination import Draining
from .versions import LaunchVersions

PARTS: tuple[Callable[[Harness], Part], ...] = (
    CommercialManagedPolicies,
    AwsAnswers,
    LaunchVersions,
    TargetHealth,
    ZonePlacement,
    Draining,
    RefreshAlarms,
    UnhealthyReplacement,
    InstanceRefreshes,
    InstanceRefreshApi,
    RefreshUpdateRules,
    AlbMetrics,
    InstanceHosts,
    RunCommand,
    TargetTracking,
    CpuMetrics,
)
