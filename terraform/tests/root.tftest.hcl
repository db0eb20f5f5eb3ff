# The action's bundled root: module defaults reach the plan through null pass-through variables,
# and the outputs the action reads come out. AWS is the module's mock provider.
mock_provider "aws" {
  source = "./modules/web-tier/tests/mocks"
}

variables {
  image = "docker.io/acme/web@sha256:2222222222222222222222222222222222222222222222222222222222222222"
  # terraform test 1.11 hands an unset ephemeral variable to apply runs as if set (see the module's
  # plan.tftest.hcl); without registry_username the token is unused.
  registry_pull_token = "unused-without-registry_username"
}

run "module_defaults_apply_through_null_variables" {
  command = apply

  assert {
    condition     = output.asg_name == "ha-django-prod-web"
    error_message = "project and environment must default to the module's ha-django and prod."
  }
  assert {
    condition     = output.app_url == "http://ha-django-prod-alb-1.eu-west-1.elb.amazonaws.com"
    error_message = "Without certificate_arn and app_domain, app_url must be the load balancer over HTTP."
  }
  assert {
    condition     = output.image == var.image && output.launch_template_version != null
    error_message = "The outputs the action reads must come through from the module."
  }
  assert {
    condition     = length(output.private_subnet_ids) == 2
    error_message = "az_count must default to the module's 2."
  }
}

run "passes_values_through" {
  command = apply
  variables {
    environment     = "staging"
    az_count        = 3
    app_domain      = "app.example.com"
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = output.asg_name == "ha-django-staging-web" && length(output.private_subnet_ids) == 3
    error_message = "environment and az_count must reach the module."
  }
  assert {
    condition     = output.app_url == "https://app.example.com"
    error_message = "app_domain and certificate_arn must reach the module."
  }
}

run "rejects_a_malformed_region" {
  command = plan
  variables {
    aws_region = "europe"
  }
  expect_failures = [var.aws_region]
}

run "the_database_is_on_by_default" {
  command = apply

  assert {
    condition     = output.database_address == "ha-django-prod-db-0123.c0ffee.eu-west-1.rds.amazonaws.com" && startswith(output.database_master_secret_arn, "arn:aws:secretsmanager:")
    error_message = "The root must create the module's database by default and pass its outputs through."
  }
}

run "database_off_passes_through" {
  command = apply
  variables {
    database          = false
    database_multi_az = false
  }

  assert {
    condition     = output.database_address == null
    error_message = "database = false must reach the module."
  }
}
