# The action reads alb_dns_name, app_url, asg_name, target_group_arn, launch_template_id,
# launch_template_version and image after apply (the bundled root passes them through): keep them.
output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.web.dns_name
}

output "app_url" {
  description = "URL the app answers on (app_domain when set, else the load balancer's name)."
  value       = local.app_url
}

output "asg_name" {
  description = "The Auto Scaling group the deploy refreshes."
  value       = aws_autoscaling_group.web.name
}

output "target_group_arn" {
  description = "Target group whose health decides when a deploy is done."
  value       = aws_lb_target_group.web.arn
}

output "launch_template_id" {
  description = "Launch template of the web instances."
  value       = aws_launch_template.web.id
}

output "launch_template_version" {
  description = "Newest launch template version (a number): what the deploy's instance refresh rolls the group to."
  value       = aws_launch_template.web.latest_version
}

output "vpc_id" {
  description = "The VPC the tier runs in (for peering, or a database in its own subnets)."
  value       = aws_vpc.main.id
}

output "image" {
  description = "The image the launch template runs: plan uses it when no new image is given."
  value       = var.image
}

output "scaling_policy_name" {
  description = "The CPU target tracking policy: scale-test reads its alarms (created by AWS, never named by us) from DescribePolicies."
  value       = aws_autoscaling_policy.cpu.name
}

output "scaling_policy_arn" {
  description = "ARN of the CPU target tracking policy (its alarms' actions point at it)."
  value       = aws_autoscaling_policy.cpu.arn
}

output "app_log_group" {
  description = "CloudWatch Logs group of the app containers (one stream per instance id): the action shows a failing instance's last lines from it."
  value       = aws_cloudwatch_log_group.app.name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer: with alb_dns_name, the target of a Route 53 alias record for app_domain."
  value       = aws_lb.web.zone_id
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer, NAT gateways), one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets of the web instances, one per zone."
  value       = aws_subnet.private[*].id
}

output "instance_security_group_id" {
  description = "Security group of the web instances: allow it as a source on a database's group."
  value       = aws_security_group.instances.id
}

output "app_log_group_name" {
  description = "CloudWatch log group of the app containers (one stream per instance)."
  value       = aws_cloudwatch_log_group.app.name
}

output "database_address" {
  description = "Host name of the shared database (null when database is off)."
  value       = one(aws_db_instance.main[*].address)
}

output "database_master_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master password in (null when database is off)."
  value       = try(aws_db_instance.main[0].master_user_secret[0].secret_arn, null)
}

output "release_alarm_names" {
  description = "CloudWatch alarms meaning \"this release hurts users\" (per target group: 5xx share, p95 response time, unhealthy hosts): the deploy's instance refresh rolls back when one fires (rollback-alarms)."
  value = concat(
    [for alarm in aws_cloudwatch_metric_alarm.release_5xx_share : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.release_p95_latency : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.release_unhealthy_hosts : alarm.alarm_name],
  )
}
