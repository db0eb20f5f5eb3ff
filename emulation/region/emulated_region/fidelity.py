"""Where moto answers differently from AWS in ways a client notices, made to answer as AWS does.

Each difference was seen as a perpetual diff in `terraform plan` right after an apply, or as a
failure to launch; each fix is one wrapper around moto's own code.
"""

from dataclasses import dataclass
from typing import Any

from moto.autoscaling.models import FakeScalingPolicy
from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateVersion
from moto.ec2.utils import parse_user_data

from .state import Part


@dataclass
class AwsAnswers(Part):
    def install(self) -> None:
        create_version = LaunchTemplate.create_version

        def create_version_as_aws(self: LaunchTemplate, data: dict[str, Any], description: str) -> LaunchTemplateVersion:
            # moto parses UserData for CreateLaunchTemplate only, then cannot launch from a later
            # version (every deploy adds one).
            if isinstance(data.get("UserData"), str):
                data = {**data, "UserData": parse_user_data(data["UserData"])}
            # moto copies the template's own tags (ResourceType launch-template) into the version's
            # data; AWS keeps them on the template, so Terraform would plan to remove them forever.
            specs = data.get("TagSpecifications")
            if specs:
                data = {**data, "TagSpecifications": [s for s in specs if s.get("ResourceType") != "launch-template"]}
            return create_version(self, data, description)

        LaunchTemplate.create_version = create_version_as_aws

        policy_init = FakeScalingPolicy.__init__

        def policy_as_aws(self: FakeScalingPolicy, *args: Any, **kwargs: Any) -> None:
            policy_init(self, *args, **kwargs)
            # AWS describes policies as Enabled, and leaves out a predictive configuration nobody set.
            self.enabled = True
            if not self.predictive_scaling_configuration:
                self.predictive_scaling_configuration = None

        FakeScalingPolicy.__init__ = policy_as_aws
