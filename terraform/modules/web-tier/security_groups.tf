resource "aws_security_group" "alb" {
  name_prefix = "${local.name}-alb-"
  description = "Internet-facing load balancer: HTTP and HTTPS in, only the web instances out"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name}-alb" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "alb_http_in" {
  #checkov:skip=CKV_AWS_260:The public entry point: port 80 serves (or, with a certificate, redirects to HTTPS) the whole internet.
  type              = "ingress"
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet (redirected to HTTPS when a certificate is set)"
  protocol          = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "alb_https_in" {
  type              = "ingress"
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "alb_to_instances" {
  type                     = "egress"
  security_group_id        = aws_security_group.alb.id
  description              = "Requests and health checks to the web instances"
  protocol                 = "tcp"
  from_port                = 80
  to_port                  = 80
  source_security_group_id = aws_security_group.instances.id
}

resource "aws_security_group" "instances" {
  name_prefix = "${local.name}-web-"
  description = "Web instances: HTTP from the load balancer only; no SSH (SSM Session Manager instead)"
  vpc_id      = aws_vpc.main.id
  tags        = { Name = "${local.name}-web" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "instances_from_alb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.instances.id
  description              = "HTTP from the load balancer"
  protocol                 = "tcp"
  from_port                = 80
  to_port                  = 80
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "instances_https_out" {
  type              = "egress"
  security_group_id = aws_security_group.instances.id
  # Through the NAT gateways: the image registry, the package repository, SSM and CloudWatch APIs.
  description = "HTTPS to the registry, package repos and AWS APIs"
  protocol    = "tcp"
  from_port   = 443
  to_port     = 443
  cidr_blocks = ["0.0.0.0/0"]
}
