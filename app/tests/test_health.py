import pytest

from tests.live_server import PUBLIC_HOST

# The ALB health checker connects to the instance's private IP and sends it as the Host header.
PRIVATE_IP_HOST = "10.0.1.23"


def test_health_answers_the_alb_checker_whose_host_is_the_private_ip(client, settings):
    settings.APP_VERSION = "1.4.0"
    settings.APP_COMMIT = "3f2c1ab"

    response = client.get("/health/", HTTP_HOST=PRIVATE_IP_HOST)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1.4.0", "commit": "3f2c1ab"}
    assert "no-store" in response["Cache-Control"]


def test_private_ip_is_not_an_allowed_host(settings):
    assert PRIVATE_IP_HOST not in settings.ALLOWED_HOSTS
    assert "*" not in settings.ALLOWED_HOSTS


@pytest.mark.parametrize("host", [PRIVATE_IP_HOST, "attacker.example.net"])
def test_other_paths_still_reject_hosts_outside_allowed_hosts(client, host):
    assert client.get("/", HTTP_HOST=host).status_code == 400
    assert client.get("/static/web/site.css", HTTP_HOST=host).status_code == 400


def test_only_the_exact_health_path_is_exempt(client):
    assert client.get("/health", HTTP_HOST=PRIVATE_IP_HOST).status_code == 400
    assert client.get("/health/extra", HTTP_HOST=PRIVATE_IP_HOST).status_code == 400


def test_health_answers_200_directly_when_https_redirects_are_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/", HTTP_HOST=PUBLIC_HOST).status_code == 301
    # The health checker speaks plain HTTP without X-Forwarded-Proto: no redirect for it.
    assert client.get("/health/", HTTP_HOST=PRIVATE_IP_HOST).status_code == 200


def test_health_answers_head_and_refuses_writes(client):
    assert client.head("/health/", HTTP_HOST=PRIVATE_IP_HOST).status_code == 200
    assert client.post("/health/", HTTP_HOST=PRIVATE_IP_HOST).status_code == 405
