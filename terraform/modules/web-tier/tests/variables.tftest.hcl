# Every validation rejects a bad value with its message; plans run on a mocked AWS provider.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image = "docker.io/acme/web@sha256:0000000000000000000000000000000000000000000000000000000000000000"
}

run "accepts_the_defaults" {
  command = plan
}

run "rejects_an_image_by_tag" {
  command = plan
  variables {
    image = "docker.io/acme/web:latest"
  }
  expect_failures = [var.image]
}

run "rejects_an_uppercase_project" {
  command = plan
  variables {
    project = "Shop"
  }
  expect_failures = [var.project]
}

run "rejects_a_long_environment" {
  command = plan
  variables {
    environment = "production"
  }
  expect_failures = [var.environment]
}

run "rejects_a_small_vpc" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/24"
  }
  expect_failures = [var.vpc_cidr]
}

run "rejects_a_single_zone" {
  command = plan
  variables {
    az_count = 1
  }
  expect_failures = [var.az_count]
}

run "rejects_a_bad_instance_type" {
  command = plan
  variables {
    instance_type = "large"
  }
  expect_failures = [var.instance_type]
}

run "rejects_zero_min_size" {
  command = plan
  variables {
    min_size = 0
  }
  expect_failures = [var.min_size]
}

run "rejects_zero_desired_capacity" {
  command = plan
  variables {
    desired_capacity = 0
  }
  expect_failures = [var.desired_capacity]
}

run "rejects_a_huge_max_size" {
  command = plan
  variables {
    max_size = 500
  }
  expect_failures = [var.max_size]
}

run "rejects_desired_above_max" {
  command = plan
  variables {
    desired_capacity = 6
  }
  expect_failures = [aws_autoscaling_group.web]
}

run "rejects_a_cpu_target_of_95" {
  command = plan
  variables {
    cpu_target = 95
  }
  expect_failures = [var.cpu_target]
}

run "rejects_a_relative_health_path" {
  command = plan
  variables {
    health_check_path = "health/"
  }
  expect_failures = [var.health_check_path]
}

run "rejects_a_negative_grace_period" {
  command = plan
  variables {
    health_check_grace_period = -1
  }
  expect_failures = [var.health_check_grace_period]
}

run "rejects_a_negative_warmup" {
  command = plan
  variables {
    instance_warmup = -5
  }
  expect_failures = [var.instance_warmup]
}

run "rejects_a_deregistration_delay_over_an_hour" {
  command = plan
  variables {
    deregistration_delay = 4000
  }
  expect_failures = [var.deregistration_delay]
}

run "rejects_a_certificate_that_is_not_acm" {
  command = plan
  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/web"
  }
  expect_failures = [var.certificate_arn]
}

run "rejects_an_app_domain_with_a_scheme" {
  command = plan
  variables {
    app_domain = "https://app.example.com"
  }
  expect_failures = [var.app_domain]
}

run "rejects_a_lowercase_env_name" {
  command = plan
  variables {
    app_environment = { debug = "1" }
  }
  expect_failures = [var.app_environment]
}

run "rejects_a_secret_parameter_path" {
  command = plan
  variables {
    secret_parameters = { API_KEY = "/other/app/key" }
  }
  expect_failures = [var.secret_parameters]
}

run "rejects_an_unsupported_retention" {
  command = plan
  variables {
    log_retention_days = 100
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_an_invalid_alarm_email" {
  command = plan
  variables {
    alarm_emails = ["ops at example.com"]
  }
  expect_failures = [var.alarm_emails]
}

run "rejects_more_zones_than_the_region_has" {
  command = plan
  variables {
    az_count = 4
  }
  expect_failures = [aws_vpc.main]
}

run "rejects_a_database_version_rds_does_not_offer" {
  command = plan
  variables {
    database_engine_version = "9.6"
  }
  expect_failures = [var.database_engine_version]
}

run "rejects_a_database_class_that_is_not_an_rds_class" {
  command = plan
  variables {
    database_instance_class = "t4g.medium"
  }
  expect_failures = [var.database_instance_class]
}

run "rejects_database_storage_below_gp3s_minimum" {
  command = plan
  variables {
    database_allocated_storage = 10
  }
  expect_failures = [var.database_allocated_storage]
}

run "rejects_fewer_than_seven_days_of_backups" {
  command = plan
  variables {
    database_backup_retention_days = 1
  }
  expect_failures = [var.database_backup_retention_days]
}
