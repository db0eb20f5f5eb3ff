import pytest

from tests.live_server import PUBLIC_HOST

pytestmark = pytest.mark.usefixtures("unhashed_static_files")


def served_by(content: bytes) -> tuple[str, str]:
    page = content.decode()

    def field(element_id: str) -> str:
        start = page.index(f'<dd id="{element_id}">') + len(f'<dd id="{element_id}">')
        return page[start : page.index("</dd>", start)]

    return field("instance-id"), field("availability-zone")


def test_home_shows_the_instance_and_zone_the_host_passed_to_docker_run(client, settings, load_settings):
    loaded = load_settings(
        DJANGO_SECRET_KEY="x" * 50, INSTANCE_ID="i-0123456789abcdef0", AVAILABILITY_ZONE="eu-west-1b"
    )
    settings.INSTANCE_ID = loaded["INSTANCE_ID"]
    settings.AVAILABILITY_ZONE = loaded["AVAILABILITY_ZONE"]

    response = client.get("/", HTTP_HOST=PUBLIC_HOST)

    assert response.status_code == 200
    assert served_by(response.content) == ("i-0123456789abcdef0", "eu-west-1b")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_home_shows_unknown_outside_ec2(client, settings, load_settings, value):
    instance_variables = {} if value is None else {"INSTANCE_ID": value, "AVAILABILITY_ZONE": value}
    loaded = load_settings(DJANGO_SECRET_KEY="x" * 50, **instance_variables)
    settings.INSTANCE_ID = loaded["INSTANCE_ID"]
    settings.AVAILABILITY_ZONE = loaded["AVAILABILITY_ZONE"]

    response = client.get("/", HTTP_HOST=PUBLIC_HOST)

    assert response.status_code == 200
    assert served_by(response.content) == ("unknown", "unknown")
