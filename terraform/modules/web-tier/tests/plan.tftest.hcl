# Facts of the planned stack that a reviewer relies on, on a mocked AWS provider.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image = "docker.io/acme/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
  # terraform test 1.11 passes an unset ephemeral variable to an apply run as if set, and apply
  # then refuses it ("was not set during the plan phase"); plan/apply outside tests accept it unset
  # (the deploy suite applies with no token). Without registry_username the token is unused.
  registry_pull_token = "unused-without-registry_username"
}

run "spreads_over_two_zones_with_a_nat_gateway_each" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "Expected one public and one private subnet in each of two zones."
  }
  assert {
    condition     = length(distinct(aws_subnet.private[*].availability_zone)) == 2
    error_message = "Private subnets must be in different zones."
  }
  assert {
    condition     = length(aws_nat_gateway.main) == 2
    error_message = "Expected a NAT gateway per zone by default."
  }
}

run "single_nat_gateway_shares_one" {
  command = plan
  variables {
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.main) == 1
    error_message = "single_nat_gateway must create one NAT gateway."
  }
}

run "group_is_elb_checked_1_2_5_in_private_subnets" {
  command = plan

  assert {
    condition     = aws_autoscaling_group.web.min_size == 1 && aws_autoscaling_group.web.desired_capacity == 2 && aws_autoscaling_group.web.max_size == 5
    error_message = "Expected min 1, desired 2, max 5."
  }
  assert {
    condition     = aws_autoscaling_group.web.health_check_type == "ELB"
    error_message = "The group must replace instances the load balancer finds unhealthy."
  }
  assert {
    condition     = aws_autoscaling_policy.cpu.target_tracking_configuration[0].target_value == 70
    error_message = "Target tracking must aim at 70% CPU by default."
  }
}

run "instances_run_the_image_by_digest_with_imdsv2" {
  # apply (on the mock): user data names the load balancer, whose DNS name is only known then.
  command = apply

  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "docker pull 'docker.io/acme/web@sha256:1111111111111111111111111111111111111111111111111111111111111111'")
    error_message = "User data must pull the image by digest."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "--publish 80:8000")
    error_message = "Host port 80 must map to the container's 8000."
  }
  assert {
    condition     = !strcontains(base64decode(aws_launch_template.web.user_data), "DJANGO_SECRET_KEY=")
    error_message = "The secret key must come from SSM at boot, never inline in user data."
  }
  assert {
    condition     = aws_launch_template.web.metadata_options[0].http_tokens == "required" && aws_launch_template.web.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "IMDSv2 must be required with hop limit 1."
  }
  assert {
    condition     = aws_launch_template.web.image_id == "ami-0123456789abcdef0"
    error_message = "The AMI must be the concrete id read from SSM at plan time."
  }
}

run "target_group_checks_health_fast_and_drains_briefly" {
  command = plan

  assert {
    condition     = aws_lb_target_group.web.health_check[0].path == "/health/" && aws_lb_target_group.web.health_check[0].matcher == "200"
    error_message = "Health check must be GET /health/ expecting 200."
  }
  assert {
    condition     = aws_lb_target_group.web.health_check[0].interval * aws_lb_target_group.web.health_check[0].healthy_threshold <= 20
    error_message = "A healthy instance must join within about 20 seconds."
  }
  assert {
    condition     = aws_lb_target_group.web.deregistration_delay == "30"
    error_message = "Deregistration delay must be well below the 300 s default."
  }
}

run "http_redirects_to_https_with_a_certificate" {
  command = plan
  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && length(aws_lb_listener.https) == 1
    error_message = "With a certificate, HTTP must redirect and an HTTPS listener must forward."
  }
  assert {
    condition     = startswith(output.app_url, "https://")
    error_message = "app_url must be https when a certificate is set."
  }
}

run "alarms_notify_a_topic_only_when_addresses_are_given" {
  command = plan
  variables {
    alarm_emails = ["ops@example.com"]
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 1 && length(aws_sns_topic_subscription.alarm_email) == 1
    error_message = "Alarm addresses must create the topic and a subscription."
  }
}

run "public_images_pull_without_a_login" {
  command = apply

  assert {
    condition     = !strcontains(base64decode(aws_launch_template.web.user_data), "docker login") && length(aws_ssm_parameter.registry_pull_token) == 0
    error_message = "Without registry_username, instances must pull anonymously and no token parameter may exist."
  }
}

run "private_images_log_in_with_the_token_from_ssm" {
  command = apply
  variables {
    image               = "registry.example.com:5000/acme/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    registry_username   = "acme-ci"
    registry_pull_token = "dckr_pat_test-token-never-in-user-data"
  }

  assert {
    condition     = aws_ssm_parameter.registry_pull_token[0].type == "SecureString" && aws_ssm_parameter.registry_pull_token[0].name == "/ha-django/prod/registry/pull-token"
    error_message = "The token must be a SecureString under the app's parameter path."
  }
  assert {
    condition     = aws_ssm_parameter.registry_pull_token[0].value_wo == null && aws_ssm_parameter.registry_pull_token[0].value_wo_version == 1
    error_message = "The token must go through the write-only argument, which Terraform never keeps."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "--name '/ha-django/prod/registry/pull-token' --query Parameter.Value --output text |\n    docker login --username 'acme-ci' --password-stdin 'registry.example.com:5000' &&\n  docker pull 'registry.example.com:5000/acme/web@sha256:")
    error_message = "User data must pipe the token from SSM into docker login for the image's registry before the pull."
  }
  assert {
    condition     = !strcontains(base64decode(aws_launch_template.web.user_data), "dckr_pat_test-token")
    error_message = "The token must never be in user data."
  }
}

run "docker_hub_images_log_in_to_docker_io" {
  command = apply
  variables {
    image               = "acme/web@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    registry_username   = "acme-ci"
    registry_pull_token = "dckr_pat_test"
  }

  assert {
    condition     = strcontains(base64decode(aws_launch_template.web.user_data), "--password-stdin 'docker.io'")
    error_message = "An image without a registry host lives on Docker Hub."
  }
}

run "a_username_without_a_token_is_refused" {
  command = plan
  variables {
    registry_username   = "acme-ci"
    registry_pull_token = null
  }
  expect_failures = [aws_ssm_parameter.registry_pull_token[0]]
}

run "release_alarms_can_fire_inside_the_default_bake" {
  command = plan

  assert {
    condition = alltrue([
      for alarm in concat(values(aws_cloudwatch_metric_alarm.release_p95_latency), values(aws_cloudwatch_metric_alarm.release_unhealthy_hosts)) :
      alarm.period * alarm.evaluation_periods + 60 <= 300
    ])
    error_message = "Each release alarm must reach ALARM within the action's default 300 s bake (periods x period + 60 s metric delay)."
  }

  assert {
    condition     = alltrue([for alarm in values(aws_cloudwatch_metric_alarm.release_5xx_share) : alarm.evaluation_periods * 60 + 60 <= 300 && length(alarm.metric_query) == 3])
    error_message = "The 5xx share alarm is metric math over two one-minute metrics and fires inside the bake."
  }

  assert {
    condition     = length(output.release_alarm_names) == 3
    error_message = "release_alarm_names names the three release alarms of the one target group."
  }
}
