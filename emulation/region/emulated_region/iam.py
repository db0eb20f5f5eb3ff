"""Loads AWS managed IAM policies for the commercial partition only.

moto keeps an IAM backend per partition and builds all of them whenever it maps an access key to an
account, which is on every request after a reset. With MOTO_IAM_LOAD_MANAGED_POLICIES each build
parses the full managed policy set; doing that once instead of for all six partitions takes about a
second off every reset. The emulated region is a commercial (`aws`) region.
"""

from dataclasses import dataclass

from moto.iam.models import IAMBackend

from .state import Part

COMMERCIAL_PARTITION = "aws"


@dataclass
class CommercialManagedPolicies(Part):
    def install(self) -> None:
        load_managed_policies = IAMBackend._init_aws_policies

        def load_for_commercial_partition_only(self: IAMBackend) -> list:
            return load_managed_policies(self) if self.region_name == COMMERCIAL_PARTITION else []

        IAMBackend._init_aws_policies = load_for_commercial_partition_only
