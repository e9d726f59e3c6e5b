"""gunicorn started as the Docker image starts it (docker/gunicorn.conf.py,
production settings, collected static files) against the test database:
it serves the API, the admin and Swagger with their static files, logs JSON
lines, refuses insecure settings and stops gracefully."""

import gc
import http.client
import json
import re
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import pytest
from rest_framework.authtoken.models import Token
from stdnum.cl import rut

from tests.api import make_user
from tests.environment import ROOT, new_secret_key, production_environment
from tests.factories import insert_job
from tests.intake_files import ORIGINAL_HEADERS, csv_bytes, insert_account

STARTUP_SECONDS = 60


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    lines: list = field(default_factory=list)

    def read_output(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def json_lines(self):
        return [json.loads(line) for line in list(self.lines) if line.startswith("{")]

    def wait_for_log(self, matches, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [entry for entry in self.json_lines() if matches(entry)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError("no such log line in:\n" + "\n".join(self.lines))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None):
    """(status, headers, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post_file(url, headers, fields, name, content):
    """A multipart form as the frontend's uploads send it: (status, body, seconds)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode()
        for field, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url,
        data=b"".join(parts),
        headers={"Host": "127.0.0.1", "Content-Type": f"multipart/form-data; boundary={boundary}", **headers},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read(), time.monotonic() - started


def start_gunicorn(environment, host="127.0.0.1", port=None):
    port = port or free_loopback_port()
    sizing = {"GUNICORN_WORKERS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "docker/gunicorn.conf.py", "speechai.wsgi:application"],
        env={**sizing, **environment, "GUNICORN_BIND": f"{host}:{port}"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    threading.Thread(target=server.read_output, daemon=True).start()
    return server


def wait_until_serving(server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise AssertionError("gunicorn did not start:\n" + "\n".join(server.lines))


@pytest.fixture(scope="module")
def production(django_db_setup, mongodb_uri, tmp_path_factory):
    """The production environment on the test database, with the static files
    collected as the Docker build collects them."""
    from django.conf import settings

    environment = production_environment(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=new_secret_key(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        MONGODB_URI=mongodb_uri,
        MONGODB_NAME=settings.DATABASES["default"]["NAME"],
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=environment,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return environment


@pytest.fixture(scope="module")
def server(production):
    server = start_gunicorn(production)
    wait_until_serving(server)
    yield server
    server.stop()


def test_runs_gevents_worker(server):
    server.wait_for_log(lambda entry: entry["message"] == "Using worker: speechai.gevent_worker.GeventWorker")


def test_serves_health_with_the_database_connected(server):
    status, headers, body = get(f"{server.url}/health")

    assert status == 200
    assert json.loads(body)["database"] == "connected"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


@pytest.mark.django_db
def test_serves_the_api_to_a_token_holder_only(server):
    job = insert_job()
    token = Token.objects.create(user=make_user("operator"))

    status, _, body = get(f"{server.url}/api/v1/jobs", {"Authorization": f"Bearer {token.key}"})
    anonymous_status, _, _ = get(f"{server.url}/api/v1/jobs")

    assert status == 200
    assert [listed["job_id"] for listed in json.loads(body)] == [job["job_id"]]
    assert anonymous_status == 401


def test_serves_the_admin_login_page_and_its_hashed_compressed_static_files(server):
    status, _, page = get(f"{server.url}/admin/login/")
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)

    assert status == 200
    assert stylesheet, page[:2000]
    css_status, css_headers, _ = get(f"{server.url}{stylesheet[1].decode()}", {"Accept-Encoding": "gzip"})
    assert css_status == 200
    assert css_headers["Content-Type"].startswith("text/css")
    assert css_headers["Content-Encoding"] == "gzip"
    assert "immutable" in css_headers["Cache-Control"]


def test_serves_swagger_with_its_own_static_files(server):
    status, _, page = get(f"{server.url}/docs")
    bundle = re.search(rb'src="(/static/drf_spectacular_sidecar/[\w/-]+/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', page)

    assert status == 200
    assert bundle, page[:2000]
    assert get(f"{server.url}{bundle[1].decode()}")[0] == 200


def test_a_url_over_the_request_line_limit_is_refused_by_gunicorn_before_the_app(server):
    prefix = f"{server.url}/api/v1/jobs?account_id="
    # The request line is "GET <path> HTTP/1.1": 4094 bytes at most.
    path_room = 4094 - len("GET  HTTP/1.1") - len(prefix) + len(server.url)

    too_long, _, _ = get(prefix + "a" * (path_room + 1))
    longest, _, body = get(prefix + "a" * path_room)

    assert too_long == 414
    assert longest == 401 and json.loads(body)["detail"]


def test_logs_each_request_as_a_json_line_with_its_id(server):
    status, headers, _ = get(f"{server.url}/health", {"X-Request-ID": "lb-4f2a9c"})

    (access,) = server.wait_for_log(lambda entry: entry.get("request_id") == "lb-4f2a9c")
    assert headers["X-Request-ID"] == "lb-4f2a9c"
    assert access["logger"] == "gunicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/health", status)
    assert isinstance(access["duration_ms"], float)
    assert access["time"].endswith("Z")


def test_refuses_to_start_with_the_development_secret_key(production):
    from django.conf import settings

    server = start_gunicorn({**production, "DJANGO_SECRET_KEY": settings.DEVELOPMENT_SECRET_KEY})

    assert server.process.wait(timeout=STARTUP_SECONDS) != 0
    (refusal, *_) = server.wait_for_log(lambda entry: "Refusing to start" in entry.get("error", ""))
    assert "DJANGO_SECRET_KEY is unset, the development key" in refusal["error"]


def test_stops_gracefully_on_sigterm(production):
    server = start_gunicorn(production)
    wait_until_serving(server)

    assert server.stop() == 0
    server.wait_for_log(lambda entry: entry["message"] == "Handling signal: term")


@pytest.mark.django_db
def test_recycled_workers_are_forked_ready_and_keep_serving(production):
    job = insert_job()
    token = Token.objects.create(user=make_user("poller"))
    server = start_gunicorn({**production, "GUNICORN_MAX_REQUESTS": "4"})
    wait_until_serving(server)

    def recycled():
        return [entry for entry in server.json_lines() if "Autorestarting worker" in entry["message"]]

    statuses = []
    deadline = time.monotonic() + 30
    try:
        # Each of the 2 workers drew a limit of 4..5 requests; a gevent worker
        # notices its limit within a second, so keep asking until several
        # were recycled.
        while len(recycled()) < 4 and time.monotonic() < deadline:
            statuses.append(get(f"{server.url}/api/v1/jobs/{job['_id']}", {"Authorization": f"Bearer {token.key}"})[0])
            time.sleep(0.05)
    finally:
        server.stop()

    assert len(recycled()) >= 4
    assert statuses == [200] * len(statuses)


def test_a_lone_worker_recycled_under_load_is_replaced_without_holding_requests(production):
    # Keep-alive clients, as a load balancer holds them: when the worker
    # stops accepting, some of their requests are in flight; the replacement
    # must be serving as soon as they are answered.
    server = start_gunicorn({**production, "GUNICORN_WORKERS": "1", "GUNICORN_MAX_REQUESTS": "200"})
    wait_until_serving(server)
    port = int(server.url.rsplit(":", 1)[1])
    stop_at = time.monotonic() + 30
    seconds, failures = [], []

    def recycled():
        return [entry for entry in server.json_lines() if "Autorestarting worker" in entry["message"]]

    def client():
        connection = None
        while time.monotonic() < stop_at and len(recycled()) < 3:
            started = time.monotonic()
            try:
                connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/", headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (ConnectionError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
                continue  # closed between two requests: sent again on a new connection
            seconds.append(time.monotonic() - started)

    clients = [threading.Thread(target=client) for _ in range(8)]
    try:
        for each in clients:
            each.start()
        for each in clients:
            each.join()
    finally:
        server.stop()

    assert len(recycled()) >= 3
    assert failures == []
    # gunicorn's own worker held them at least 1.5 s (its one-second look,
    # then ~0.5 s of teardown); this one 0.1-0.15 s, with room here for the
    # whole suite's load on two cores.
    assert max(seconds) < 1.0, sorted(seconds)[-5:]


def test_worker_limits_are_spread_so_workers_are_not_recycled_together(monkeypatch):
    # Read here without gevent's patching of this test process.
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")
    config = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))

    assert config["preload_app"] is True
    assert config["max_requests_jitter"] >= config["max_requests"] // 4


def test_the_preloaded_application_is_set_aside_from_the_workers_garbage_collection(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")
    config = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        config["pre_fork"](server=None, worker=None)

        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def contact_rows(count):
    """`count` Chilean debtors, each on their own row with their own phone."""
    rows = [ORIGINAL_HEADERS]
    for number in range(10_000_000, 10_000_000 + count):
        check_digit = rut.calc_check_digit(str(number))
        rows.append(
            [
                f"{number}-{check_digit}",
                f"Persona {number}",
                "Retail Andes",
                1000,
                "2025-11-01",
                0,
                f"9{number + 40_000_000}",
                "",
            ]
        )
    return rows


@pytest.mark.django_db
def test_one_worker_answers_other_requests_while_it_reads_a_large_contact_file(production):
    # Reading and planning a file is Python CPU, a second or more for these
    # rows: the worker must interleave other requests (here the API's root,
    # which needs no database), not serve them after it.
    insert_account()
    token = Token.objects.create(user=make_user("operadora"))
    server = start_gunicorn({**production, "GUNICORN_WORKERS": "1"})
    wait_until_serving(server)
    preview = {}

    def send_preview():
        preview["status"], preview["body"], preview["seconds"] = post_file(
            f"{server.url}/api/v1/batches/excel/preview",
            {"Authorization": f"Bearer {token.key}"},
            {"account_id": "acc-a1b2c3d4e5f6"},
            "deudores.csv",
            csv_bytes(contact_rows(30_000)),
        )

    sender = threading.Thread(target=send_preview)
    other_seconds = []
    try:
        sender.start()
        while sender.is_alive():
            started = time.monotonic()
            assert get(f"{server.url}/")[0] == 200
            other_seconds.append(time.monotonic() - started)
        sender.join()
    finally:
        server.stop()

    assert preview["status"] == 200, preview.get("body")
    assert json.loads(preview["body"])["preview"]["valid_debtors"] == 30_000
    assert len(other_seconds) >= 5
    assert max(other_seconds) < preview["seconds"] / 3, (max(other_seconds), preview["seconds"])
