# Every output of the module, passed through: the action reads alb_dns_name, app_url, asg_name,
# target_group_arn, launch_template_id, launch_template_version and image (src/terraform/outputs.ts).
# (Named root_outputs.tf so the module's outputs.tf keeps its history.)

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.web_tier.alb_dns_name
}

output "app_url" {
  description = "URL the app answers on (app_domain when set, else the load balancer's name)."
  value       = module.web_tier.app_url
}

output "asg_name" {
  description = "The Auto Scaling group the deploy refreshes."
  value       = module.web_tier.asg_name
}

output "target_group_arn" {
  description = "Target group whose health decides when a deploy is done."
  value       = module.web_tier.target_group_arn
}

output "launch_template_id" {
  description = "Launch template of the web instances."
  value       = module.web_tier.launch_template_id
}

output "launch_template_version" {
  description = "Newest launch template version (a number): what the deploy's instance refresh rolls the group to."
  value       = module.web_tier.launch_template_version
}

output "vpc_id" {
  description = "The VPC the tier runs in (for peering, or a database in its own subnets)."
  value       = module.web_tier.vpc_id
}

output "image" {
  description = "The image the launch template runs: plan uses it when no new image is given."
  value       = module.web_tier.image
}

output "app_log_group" {
  description = "CloudWatch Logs group of the app containers (one stream per instance id): the action shows a failing instance's last lines from it."
  value       = module.web_tier.app_log_group
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer: with alb_dns_name, the target of a Route 53 alias record for app_domain."
  value       = module.web_tier.alb_zone_id
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer, NAT gateways), one per zone."
  value       = module.web_tier.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets of the web instances, one per zone."
  value       = module.web_tier.private_subnet_ids
}

output "instance_security_group_id" {
  description = "Security group of the web instances: allow it as a source on a database's group."
  value       = module.web_tier.instance_security_group_id
}

output "app_log_group_name" {
  description = "CloudWatch log group of the app containers (one stream per instance)."
  value       = module.web_tier.app_log_group_name
}

output "scaling_policy_name" {
  description = "Name of the group's target tracking scaling policy: the scale test reads its alarms from it."
  value       = module.web_tier.scaling_policy_name
}

output "scaling_policy_arn" {
  description = "ARN of the group's target tracking scaling policy."
  value       = module.web_tier.scaling_policy_arn
}

output "database_address" {
  description = "Host name of the shared database (null when database is off)."
  value       = module.web_tier.database_address
}

output "database_master_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master password in (null when database is off)."
  value       = module.web_tier.database_master_secret_arn
}

output "release_alarm_names" {
  description = "Alarms meaning \"this release hurts users\": deploy's default rollback-alarms (the refresh rolls back when one fires)."
  value       = module.web_tier.release_alarm_names
}
