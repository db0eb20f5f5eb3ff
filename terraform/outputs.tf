# The action reads these names after apply; keep them when changing the stack.
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
  description = "The VPC."
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
