"""While MongoDB is unreachable the app fails fast: every request answers 503
within the configured timeout plus one second, even under load, /health
within its own short timeout, and the app serves again by itself once the
database is back (speechai/database_breaker.py)."""

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connections
from pymongo import MongoClient

from speechai.database_breaker import breaker
from tests.api import make_user, token_client
from tests.environment import ROOT
from tests.test_gunicorn import (
    free_loopback_port,
    get,
    production,  # noqa: F401  (the fixture, used by outage_environment)
    start_gunicorn,
    wait_until_serving,
)

UNAVAILABLE = "The database is unavailable, try again later."


class Outage:
    """Django's connection pointed at a port where no server listens, and back."""

    def __init__(self):
        self.connection = connections["default"]
        self.working_database = self.connection.database
        self.unreachable = MongoClient("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=200)

    def begin(self):
        self.connection.database = self.unreachable["speechai_db"]

    def end(self):
        self.connection.database = self.working_database


@pytest.fixture
def outage():
    """An outage the test begins and ends (conftest closes the breaker after)."""
    outage = Outage()
    try:
        yield outage
    finally:
        outage.end()
        outage.unreachable.close()


@pytest.mark.django_db
def test_once_the_database_failed_requests_answer_503_at_once_without_asking_it(client, settings, outage, round_trips):
    settings.MONGODB_RETRY_INTERVAL_MS = 60_000
    api = token_client(make_user("reader"))
    outage.begin()
    assert client.get("/health").status_code == 503

    round_trips.reset()
    started = time.monotonic()
    response = api.get("/api/v1/jobs")
    admin_page = client.get("/admin/")

    assert time.monotonic() - started < 0.5
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE, "message": UNAVAILABLE}
    assert 1 <= int(response["Retry-After"]) <= 60
    assert admin_page.status_code == 503
    assert UNAVAILABLE in admin_page.content.decode()
    assert round_trips.count == 0


@pytest.mark.django_db
def test_a_probe_after_the_retry_interval_finds_the_database_back_and_requests_are_served(client, settings, outage):
    settings.MONGODB_RETRY_INTERVAL_MS = 300
    api = token_client(make_user("reader"))
    outage.begin()
    assert client.get("/health").status_code == 503
    outage.end()

    refused = api.get("/api/v1/jobs")
    time.sleep(0.35)
    served = api.get("/api/v1/jobs")

    assert refused.status_code == 503
    assert served.status_code == 200


@pytest.mark.django_db
def test_health_answers_503_within_its_own_timeout_and_finds_the_database_back_at_once(client, settings, outage):
    settings.MONGODB_PROBE_TIMEOUT_MS = 300
    outage.unreachable.close()
    outage.unreachable = MongoClient("mongodb://192.0.2.1:27017/", serverSelectionTimeoutMS=60_000)  # never answers
    outage.begin()

    started = time.monotonic()
    down = client.get("/health")
    took = time.monotonic() - started
    outage.end()
    up = client.get("/health")

    assert down.status_code == 503
    assert (down.json()["status"], down.json()["database"]) == ("unhealthy", "unreachable")
    assert took < 1.3
    assert up.status_code == 200
    assert breaker.admit() == breaker.SERVE


# A real outage: the embedded server (its own process) stopped and started
# again under a gunicorn serving 16 clients at once.

TIMEOUT_MS = 2000
PROBE_TIMEOUT_MS = 1000
CLIENTS = 16


@dataclass
class Answer:
    path: str
    started: float
    ended: float
    status: int
    body: bytes

    @property
    def seconds(self):
        return self.ended - self.started


class EmbeddedDatabase:
    """secantusd-py on a fixed port with its data on disk, so that it can be
    stopped and started again as the same server."""

    def __init__(self, data_dir):
        self.port = free_loopback_port()
        self.data_dir = data_dir
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self.process = None

    def start(self):
        command = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen([*command, "--storage-path", str(self.data_dir), "--log-level", "ERROR"])
        client = MongoClient(self.uri, serverSelectionTimeoutMS=30_000)
        client.admin.command("ping")
        client.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Once under the full suite's load the server took longer to
            # close its storage; killed, it is as gone for the API.
            self.process.kill()
            self.process.wait(timeout=30)


def manage(environment, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def outage_setup(request, tmp_path):
    database = EmbeddedDatabase(tmp_path / "mongo")
    database.start()
    environment = {
        **request.getfixturevalue("production"),
        "MONGODB_URI": database.uri,
        "MONGODB_NAME": "outage",
        "MONGODB_TIMEOUT_MS": str(TIMEOUT_MS),
        "MONGODB_PROBE_TIMEOUT_MS": str(PROBE_TIMEOUT_MS),
        "MONGODB_RETRY_INTERVAL_MS": "500",
        "GUNICORN_WORKERS": "1",
        # Worker recycling off: the fast 503s would reach max_requests within
        # seconds, and a lone worker's restart stalls every client whatever the
        # database (post_worker_init makes a new worker fail fast at once).
        "GUNICORN_MAX_REQUESTS": "0",
    }
    try:
        manage(environment, "migrate", "--noinput", "--verbosity", "0")
        token = manage(environment, "api_token", "load", "--create-user")
        server = start_gunicorn(environment)
        wait_until_serving(server)
        yield database, server, token
        server.stop()
    finally:
        if database.process.poll() is None:
            database.stop()


class Load:
    """Clients sending requests one after another until stopped."""

    def __init__(self, server, token):
        self.server = server
        self.token = token
        self.answers = []
        self.running = True
        self.threads = [threading.Thread(target=self.client, args=("/api/v1/jobs",)) for _ in range(CLIENTS)]
        self.threads.append(threading.Thread(target=self.client, args=("/health", 0.2)))

    def client(self, path, pause=0.0):
        while self.running:
            started = time.monotonic()
            status, _, body = get(f"{self.server.url}{path}", {"Authorization": f"Bearer {self.token}"})
            self.answers.append(Answer(path, started, time.monotonic(), status, body))
            time.sleep(pause)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)

    def since(self, moment, path="/api/v1/jobs"):
        return [answer for answer in list(self.answers) if answer.started >= moment and answer.path == path]

    def wait_for(self, status, after, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(answer.status == status for answer in self.since(after)):
                return
            time.sleep(0.05)
        raise AssertionError(f"no {status} within {seconds} s after the change")


def test_a_stopped_database_gives_fast_503s_under_load_and_the_app_recovers_by_itself(outage_setup):
    database, server, token = outage_setup
    with Load(server, token) as load:
        load.wait_for(200, after=0, seconds=30)
        database.stop()
        stopped = time.monotonic()
        time.sleep(TIMEOUT_MS / 1000 * 3)
        restarting = time.monotonic()
        database.start()
        load.wait_for(200, after=restarting, seconds=15)
        back = time.monotonic()
        time.sleep(1)

    during = [answer for answer in load.since(stopped) if answer.started < restarting]
    failures = [answer for answer in during if answer.status != 200]
    assert len(during) > CLIENTS * 3, "the load went on during the outage"
    assert {answer.status for answer in failures} == {503}
    assert all(json.loads(answer.body) == {"detail": UNAVAILABLE, "message": UNAVAILABLE} for answer in failures)
    bound = TIMEOUT_MS / 1000 + 1
    slowest = max(answer.seconds for answer in load.since(stopped))
    assert slowest <= bound, f"slowest answer {slowest:.2f} s"
    assert sum(answer.seconds < 0.5 for answer in failures) > len(failures) / 2, "most 503s came at once"
    health = [answer for answer in load.since(stopped, "/health") if answer.started < restarting - 1]
    # /health waits in gunicorn's queue behind the 16 clients (4 threads) before
    # its own 1 s probe: allowed one more second when the machine is loaded.
    assert health and all(answer.status == 503 and answer.seconds <= bound + 1 for answer in health)
    assert all(answer.status == 200 for answer in load.since(back + 0.5))
    assert server.process.poll() is None, "served again by the same gunicorn, never restarted"
