"""The app against a real PostgreSQL 15 server: notes, shared sessions, locked migrations, the
start-time check and a password rotation under load."""

import re
import subprocess
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.live_server import (
    APP_DIR,
    PYTHON,
    PUBLIC_HOST,
    collectstatic,
    free_port,
    gunicorn_command,
    production_env,
    serving,
)
from tests.postgres_server import write_secret

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def manage(environment: dict[str, str], *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=APP_DIR,
        env=production_env(**environment),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def migrate(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return manage(environment, "migrate", "--noinput", *arguments)


def start_gunicorn_until_it_exits(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """gunicorn with production settings, for a start that must fail (bounded: 60 s)."""
    return subprocess.run(
        gunicorn_command(free_port()),
        cwd=APP_DIR,
        env=production_env(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_migrate(environment: dict[str, str]) -> subprocess.Popen:
    """`manage.py migrate` in the background, its output (stdout and stderr) on a text pipe."""
    return subprocess.Popen(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=APP_DIR,
        env=production_env(**environment),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def migrated(database):
    result = migrate(database)
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def app_environment(migrated, tmp_path):
    """Production settings over plain HTTP on loopback, with the migrated database."""
    environment = {**migrated, "DJANGO_HTTPS": "false", "DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    collectstatic(production_env(**environment))
    return environment


class Browser:
    """A visitor with a cookie jar, against one server or another (the ALB spreading requests)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(CookieJar())
        )

    def get(self, port: int, path: str) -> bytes:
        return self.request(port, path).read()

    def add_note(self, port: int, text: str) -> bytes:
        token = CSRF_FIELD.search(self.get(port, "/notes/")).group(1).decode()
        body = urlencode({"csrfmiddlewaretoken": token, "text": text}).encode()
        return self.request(port, "/notes/", body).read()

    def request(self, port: int, path: str, body: bytes | None = None):
        headers = {"Host": PUBLIC_HOST, "Referer": f"http://{PUBLIC_HOST}/notes/"}
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
        return self.opener.open(request, timeout=30)


@pytest.mark.django_db
def test_the_notes_page_writes_a_note_and_reads_it_back(client, unhashed_static_files):
    form = client.get("/notes/", HTTP_HOST=PUBLIC_HOST)
    assert b"No notes yet." in form.content

    saved = client.post("/notes/", {"text": "hello from the database"}, HTTP_HOST=PUBLIC_HOST)
    assert saved.status_code == 302
    page = client.get("/notes/", HTTP_HOST=PUBLIC_HOST)

    assert b"hello from the database" in page.content
    assert b"You added 1 note in this session." in page.content


@pytest.mark.django_db
def test_an_empty_note_is_refused(client, unhashed_static_files):
    assert client.post("/notes/", {"text": ""}, HTTP_HOST=PUBLIC_HOST).status_code == 400


def test_without_a_database_the_notes_page_says_so_and_the_rest_runs(client, settings, unhashed_static_files):
    settings.DATABASE_CONFIGURED = False

    assert b"this deployment has no database" in client.get("/notes/", HTTP_HOST=PUBLIC_HOST).content
    assert client.post("/notes/", {"text": "x"}, HTTP_HOST=PUBLIC_HOST).status_code == 503
    assert client.get("/", HTTP_HOST=PUBLIC_HOST).status_code == 200


def test_without_a_database_migrate_says_there_is_nothing_to_migrate():
    result = migrate({})

    assert result.returncode == 0, result.stderr
    assert "no database configured" in result.stdout


def test_a_session_written_by_one_instance_is_read_by_another(app_environment, tmp_path):
    first, second = free_port(), free_port()
    fleet = production_env(**app_environment)  # one SECRET_KEY for the fleet
    browser = Browser()
    with (
        open(tmp_path / "first.log", "w") as first_log,
        open(tmp_path / "second.log", "w") as second_log,
        serving(gunicorn_command(first, workers=1), first, fleet, first_log),
        serving(gunicorn_command(second, workers=1), second, fleet, second_log),
    ):
        browser.add_note(first, "written through the first instance")
        page = browser.get(second, "/notes/")

    assert b"written through the first instance" in page
    assert b"You added 1 note in this session." in page


def test_two_migrates_started_together_take_turns_and_both_succeed(database):
    runs = [start_migrate(database) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    # Each migration was applied by exactly one of them; the other found nothing left to do.
    assert sum(output.count("Applying web.0001_initial... OK") for output in outputs) == 1


def test_a_migrate_waits_while_another_holds_the_lock(database, postgres):
    from web.management.commands.migrate import MIGRATE_LOCK_KEY

    holder = postgres.session(database["DATABASE_NAME"])
    holder.run(f"SELECT pg_advisory_lock({MIGRATE_LOCK_KEY})")
    waiting = start_migrate(database)
    try:
        assert "another migrate holds the lock" in waiting.stdout.readline()
        assert postgres.admin("SELECT to_regclass('web_note') IS NULL", database["DATABASE_NAME"]) == "t"
    finally:
        holder.close()  # the session ends and the lock with it
    rest = waiting.communicate(timeout=120)[0]

    assert waiting.returncode == 0, rest
    assert "Applying web.0001_initial... OK" in rest


def test_a_migrate_gives_up_when_the_lock_stays_taken_past_its_wait(database, postgres):
    from web.management.commands.migrate import MIGRATE_LOCK_KEY

    holder = postgres.session(database["DATABASE_NAME"])
    holder.run(f"SELECT pg_advisory_lock({MIGRATE_LOCK_KEY})")
    try:
        result = migrate({**database, "DJANGO_MIGRATE_WAIT_SECONDS": "1"})
    finally:
        holder.close()

    assert result.returncode != 0
    assert "another migrate still held the lock after 1 s (DJANGO_MIGRATE_WAIT_SECONDS); nothing was migrated" in (
        result.stderr
    )
    assert postgres.admin("SELECT to_regclass('web_note') IS NULL", database["DATABASE_NAME"]) == "t"


def test_a_migration_blocked_behind_live_traffic_fails_instead_of_waiting(migrated, postgres):
    reader = postgres.session(migrated["DATABASE_NAME"])
    # A long transaction of the live site holds a share lock on the table the migration drops.
    reader.run("BEGIN; LOCK TABLE web_note IN ACCESS SHARE MODE")
    try:
        result = migrate({**migrated, "DJANGO_MIGRATE_LOCK_TIMEOUT_SECONDS": "1"}, "web", "zero")
    finally:
        reader.close()

    assert result.returncode != 0
    assert "lock timeout" in result.stderr
    assert postgres.admin("SELECT to_regclass('web_note') IS NOT NULL", migrated["DATABASE_NAME"]) == "t"


def test_the_server_refuses_to_start_when_a_migration_is_missing(database, tmp_path):
    environment = {**database, "DJANGO_STATIC_ROOT": str(tmp_path / "static")}

    result = start_gunicorn_until_it_exits(environment)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("hadjango: the database lacks ")
    assert "web.0001_initial" in last_line and "refusing to start" in last_line


def test_an_unreadable_password_file_stops_the_server_with_one_line(database, tmp_path):
    environment = {**database, "DATABASE_PASSWORD_FILE": str(tmp_path / "missing.json")}

    result = start_gunicorn_until_it_exits(environment)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "hadjango: cannot check the database's migrations: "
        f"DATABASE_PASSWORD_FILE {tmp_path / 'missing.json'}: cannot read it (No such file or directory)"
    )


def test_a_rotated_password_fails_no_request(app_environment, postgres, tmp_path):
    """ALTER ROLE first, the secret file a moment later (the host's refresh lag), under load, with
    no persistent connections: every request in between opens a connection with the old password."""
    environment = {**app_environment, "DATABASE_CONN_MAX_AGE": "0"}
    port = free_port()
    statuses: list[int | str] = []
    stop = threading.Event()

    def load() -> None:
        browser = Browser()
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline and len(statuses) < 2000:
            try:
                statuses.append(browser.request(port, "/notes/").status)
            except OSError as error:
                statuses.append(repr(error))

    role = environment["DATABASE_USER"]
    with open(tmp_path / "gunicorn.log", "w") as log, serving(
        gunicorn_command(port, workers=2), port, production_env(**environment), log
    ):
        workers = [threading.Thread(target=load) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(1)
        new_password = "rotated-" + role
        postgres.admin(f"ALTER ROLE {role} PASSWORD '{new_password}'")
        time.sleep(1.5)
        write_secret(Path(environment["DATABASE_PASSWORD_FILE"]), role, new_password)
        time.sleep(1.5)
        stop.set()
        for worker in workers:
            worker.join(90)
    log_text = (tmp_path / "gunicorn.log").read_text()

    failures = [status for status in statuses if status != 200]
    reconnections = log_text.count("database password rotated")
    print(f"rotation: {len(statuses)} requests, {len(failures)} failed, {reconnections} reconnected after waiting")
    assert statuses and not failures, failures[:5]
    assert reconnections > 0


def test_the_apps_migrations_pass_the_migration_linter(database):
    result = manage(database, "lintmigrations", "--unapplied-migrations")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Erroneous migrations: 0/" in result.stdout
