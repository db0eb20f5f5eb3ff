"""Lints the IAM policies in docs/ with parliament (duo-labs), the IAM policy linter from PyPI.

Through its Python API: its command line refuses --file whenever stdin is not a terminal, which
is always the case under a test runner. The placeholders are filled the way a user fills them
(parliament checks the region and account in every ARN). Trust policies are not identity policies
and parliament cannot read them (no Resource); __tests__/docs/iam-policies.test.ts checks those.
Prints one line per finding and exits 1 if there is any that is not accepted below."""

import json
import sys
from pathlib import Path

from parliament import analyze_policy_string

DOCS = Path(__file__).resolve().parents[1] / "docs"
SAMPLE_VALUES = {"REGION": "eu-west-1", "ACCOUNT_ID": "123456789012", "STATE_BUCKET": "acme-tfstate", "STATE_KEY": "web/prod.tfstate"}
# Findings looked at and accepted: (document, parliament issue, text in the finding, why).
ACCEPTED = [
    ("iam-deploy-policy.json", "MISMATCHED_TYPE_BUT_USABLE", "",
     "AWS documents iam:PermissionsBoundary with string operators although its value is an ARN"),
    ("iam-deploy-policy.json", "PERMISSIONS_MANAGEMENT_ACTIONS", "",
     "the stack creates two roles; every role write needs the permissions boundary (tested)"),
    ("iam-deploy-policy.json", "PRIVILEGE_ESCALATION", "CreateEC2WithExistingIP",
     "PassRole only of the stack's instance role, only to EC2, and that role is boundary-capped (tested)"),
    ("iam-deploy-policy.json", "RESOURCE_MISMATCH", "listener/net/",
     "the stack's load balancer is an ALB (listener/app/...); network load balancer listeners are left out"),
    ("iam-deploy-policy.json", "RESOURCE_MISMATCH", '"ssm:GetParameter',
     "AWS's public AMI parameters have ARNs without an account (arn:aws:ssm:<region>::parameter/aws/...)"),
    ("iam-deploy-policy.json", "RESOURCE_MISMATCH", '"ssm:SendCommand"',
     "SendCommand is authorized on the document and on each target instance (AWS's service authorization "
     "reference lists both); parliament knows only the document format, and AWS-owned documents have ARNs "
     "without an account (arn:aws:ssm:<region>::document/AWS-RunShellScript)"),
    ("", "RESOURCE_MISMATCH", "sns:GetSubscriptionAttributes",
     "subscription ARNs are <topic ARN>:<id>, so the topic pattern ha-django-* covers the stack's own"),
]


def findings(path: Path) -> list[str]:
    text = path.read_text()
    for placeholder, value in SAMPLE_VALUES.items():
        text = text.replace(placeholder, value)
    policy = analyze_policy_string(text, include_community_auditors=True)
    return [f"{path.name}: {finding.issue} ({finding.severity}) {json.dumps(finding.detail)} {finding.location}"
            for finding in policy.findings if not accepted(path.name, finding)]


def accepted(document: str, finding) -> bool:
    text = f"{json.dumps(finding.detail)} {finding.location}"
    return any(
        doc in ("", document) and issue == finding.issue and needle in text
        for doc, issue, needle, _why in ACCEPTED
    )


def main() -> int:
    paths = sorted(DOCS.glob("iam-*-policy.json"))
    problems = [line for path in paths for line in findings(path)]
    for line in problems:
        print(line)
    print(f"parliament: {len(paths)} documents, {len(problems)} findings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
