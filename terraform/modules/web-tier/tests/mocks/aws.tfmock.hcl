# AWS as the plan tests see it: data sources answer as in eu-west-1.
mock_data "aws_availability_zones" {
  defaults = {
    names    = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    zone_ids = ["euw1-az1", "euw1-az2", "euw1-az3"]
  }
}
mock_data "aws_ssm_parameter" {
  defaults = {
    insecure_value = "ami-0123456789abcdef0"
  }
}
mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}
mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}
mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}
# Apply on the mock needs ARNs the provider accepts as ARNs.
mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/ha-django-prod-alb/0123456789abcdef"
    arn_suffix = "app/ha-django-prod-alb/0123456789abcdef"
    dns_name   = "ha-django-prod-alb-1.eu-west-1.elb.amazonaws.com"
  }
}
mock_resource "aws_lb_target_group" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ha-django-prod-web/0123456789abcdef"
    arn_suffix = "targetgroup/ha-django-prod-web/0123456789abcdef"
  }
}
mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/ha-django-prod-web"
  }
}
mock_resource "aws_iam_instance_profile" {
  defaults = {
    arn = "arn:aws:iam::123456789012:instance-profile/ha-django-prod-web"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/ha-django/prod/app"
  }
}
mock_resource "aws_launch_template" {
  defaults = {
    id = "lt-0123456789abcdef0"
  }
}
mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:ha-django-prod-alarms"
  }
}
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}
# RDS as it answers after creating the database; the master secret's ARN is what the role may read.
mock_resource "aws_db_instance" {
  defaults = {
    address  = "ha-django-prod-db-0123.c0ffee.eu-west-1.rds.amazonaws.com"
    db_name  = "app"
    username = "app"
    master_user_secret = [{
      secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123456789abcdef-AbCdEf"
      secret_status = "active"
      kms_key_id    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    }]
  }
}
