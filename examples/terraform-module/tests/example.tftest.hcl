# The example plans both environments side by side on a mocked AWS provider.
mock_provider "aws" {
  source = "../../terraform/modules/web-tier/tests/mocks"
}

variables {
  images = {
    staging = "docker.io/acme/web@sha256:3333333333333333333333333333333333333333333333333333333333333333"
    prod    = "docker.io/acme/web@sha256:4444444444444444444444444444444444444444444444444444444444444444"
  }
}

run "plans_each_environment_with_its_own_settings" {
  command = apply

  assert {
    condition     = output.asg_names == { staging = "acme-web-staging-web", prod = "acme-web-prod-web" }
    error_message = "Each environment must get its own group, named after it."
  }
  assert {
    condition     = length(module.web["staging"].private_subnet_ids) == 2 && length(module.web["prod"].private_subnet_ids) == 2
    error_message = "Both environments must span two zones."
  }
}
