resource "aws_cloudwatch_log_group" "app" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest with its own key; a CMK is a per-team choice.
  name              = "/${var.project}/${var.environment}/app"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest with its own key; a CMK is a per-team choice.
  name              = "/${var.project}/${var.environment}/vpc-flow-logs"
  retention_in_days = var.log_retention_days
}

resource "aws_sns_topic" "alarms" {
  count             = length(var.alarm_emails) > 0 ? 1 : 0
  name              = "${local.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  alarm_actions = aws_sns_topic.alarms[*].arn
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${local.name}-cpu-high"
  alarm_description   = "Average CPU stayed above 85% for 15 minutes although scaling targets ${var.cpu_target}%: the group may be at max_size."
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { AutoScalingGroupName = aws_autoscaling_group.web.name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 85
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${local.name}-alb-5xx"
  alarm_description   = "The load balancer answered more than 10 5xx responses a minute for 3 minutes (its own and the app's)."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  threshold           = 10
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "errors"
    expression  = "elb + target"
    label       = "5xx responses"
    return_data = true
  }

  metric_query {
    id = "elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.web.arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.web.arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${local.name}-unhealthy-hosts"
  alarm_description   = "A target failed its health checks for 3 minutes outside a deploy: check the container's logs in ${aws_cloudwatch_log_group.app.name}."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.web.arn_suffix, TargetGroup = aws_lb_target_group.web.arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Release alarms: "this release hurts users", watched by the deploy's instance refresh
# (AlarmSpecification) while it replaces instances and during its bake time; any of them in ALARM
# fails the refresh and, with AutoRollback, rolls it back. One-minute periods (ALB metrics are
# one-minute datapoints) and 2 of 2 datapoints: each reaches ALARM within 2 minutes of the
# release's first bad minute plus CloudWatch's metric delay, inside the action's default 300 s
# bake. Missing data (no traffic, or a target group without targets yet) is not breaching.
locals {
  release_alarm_periods = 2
  release_alarm_target_groups = {
    web = aws_lb_target_group.web.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "release_5xx_share" {
  for_each            = local.release_alarm_target_groups
  alarm_name          = "${local.name}-${each.key}-release-5xx-share"
  alarm_description   = "More than ${var.release_alarm_5xx_percent}% of the requests to target group ${each.key} answered 5xx from the app for 2 minutes: the release fails users."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = local.release_alarm_periods
  datapoints_to_alarm = local.release_alarm_periods
  threshold           = var.release_alarm_5xx_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "share"
    expression  = "100 * errors / requests"
    label       = "Target 5xx, % of requests"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.web.arn_suffix, TargetGroup = each.value }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = aws_lb.web.arn_suffix, TargetGroup = each.value }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "release_p95_latency" {
  for_each            = local.release_alarm_target_groups
  alarm_name          = "${local.name}-${each.key}-release-p95-latency"
  alarm_description   = "The 95th percentile of target response time in target group ${each.key} stayed above ${var.release_alarm_p95_seconds} s for 2 minutes: the release is slow for users."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = aws_lb.web.arn_suffix, TargetGroup = each.value }
  extended_statistic  = "p95"
  period              = 60
  evaluation_periods  = local.release_alarm_periods
  datapoints_to_alarm = local.release_alarm_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.release_alarm_p95_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "release_unhealthy_hosts" {
  for_each            = local.release_alarm_target_groups
  alarm_name          = "${local.name}-${each.key}-release-unhealthy-hosts"
  alarm_description   = "A target of target group ${each.key} was unhealthy for 2 minutes: a release's instances fail their health checks."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.web.arn_suffix, TargetGroup = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = local.release_alarm_periods
  datapoints_to_alarm = local.release_alarm_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
