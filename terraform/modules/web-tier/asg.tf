data "aws_ssm_parameter" "ami" {
  name = var.ami_ssm_parameter
}

locals {
  # How the instances run the app container: the preflight (src/preflight) runs the image with the
  # same flags and environment names, from this same file, so the two cannot drift.
  container   = jsondecode(file("${path.module}/container.json"))
  public_host = coalesce(var.app_domain, aws_lb.web.dns_name)
  app_url     = "${var.certificate_arn == null ? "http" : "https"}://${local.public_host}"
  # Where the container's secrets live; the instance role may read this path and nothing else.
  parameter_path = "/${var.project}/${var.environment}"
  app_environment = merge(
    {
      (local.container.environment.allowed_hosts)        = local.public_host
      (local.container.environment.csrf_trusted_origins) = local.app_url
      (local.container.environment.https)                = var.certificate_arn == null ? "false" : "true"
    },
    local.database_environment,
    var.app_environment,
  )
  secret_parameters = merge(
    { (local.container.environment.secret_key) = aws_ssm_parameter.django_secret_key.name },
    { for name, parameter in var.secret_parameters : name => "${local.parameter_path}/${parameter}" },
  )
}

resource "aws_launch_template" "web" {
  name_prefix = "${local.name}-web-"
  description = "Runs ${var.image}"
  # A concrete AMI id, read at plan time: with resolve:ssm: AWS cannot roll an instance refresh back.
  image_id      = data.aws_ssm_parameter.ami.insecure_value
  instance_type = var.instance_type
  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    image             = var.image
    region            = data.aws_region.current.name
    log_group         = aws_cloudwatch_log_group.app.name
    container         = local.container
    app_environment   = local.app_environment
    secret_parameters = local.secret_parameters
    # The host keeps the database's master secret (its ARN: not itself a secret) in a file it refreshes.
    database_secret_arn = var.database ? aws_db_instance.main[0].master_user_secret[0].secret_arn : null
    registry_login = local.registry_login ? {
      username  = var.registry_username
      host      = local.registry_host
      parameter = local.registry_token_parameter
    } : null
  }))

  iam_instance_profile {
    arn = aws_iam_instance_profile.web.arn
  }

  vpc_security_group_ids = [aws_security_group.instances.id]

  # IMDSv2 only, one hop: the host reads its identity, a container (one hop further) cannot reach the role's credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type           = "gp3"
      volume_size           = 30
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${local.name}-web" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${local.name}-web" }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "web" {
  name                      = "${local.name}-web"
  vpc_zone_identifier       = aws_subnet.private[*].id
  min_size                  = var.min_size
  desired_capacity          = var.desired_capacity
  max_size                  = var.max_size
  health_check_type         = "ELB"
  health_check_grace_period = var.health_check_grace_period
  default_instance_warmup   = var.instance_warmup
  target_group_arns         = [aws_lb_target_group.web.arn]
  enabled_metrics           = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupTotalInstances"]

  # A concrete version, never $Latest: the deploy's instance refresh names the version it rolls to,
  # which is what lets AWS roll back to the true previous one.
  launch_template {
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-web"
    propagate_at_launch = true
  }

  lifecycle {
    precondition {
      condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
      error_message = "Sizes must satisfy min_size <= desired_capacity <= max_size."
    }

    # desired_capacity: target tracking owns it after creation; an apply must not undo a scale-out.
    # launch_template version: the action's instance refresh moves the group to each new version
    # (naming it in DesiredConfiguration) and waits for healthy targets. If Terraform changed it
    # instead, an automatic rollback would return to the new version (terraform-provider-aws
    # #34189) and nothing would wait for the refresh (#42355). So no instance_refresh block either.
    ignore_changes = [desired_capacity, launch_template[0].version]
  }
}

resource "aws_autoscaling_policy" "cpu" {
  name                      = "${local.name}-cpu-target"
  autoscaling_group_name    = aws_autoscaling_group.web.name
  policy_type               = "TargetTrackingScaling"
  estimated_instance_warmup = var.instance_warmup

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target
  }
}
