"""The processes a benchmark block runs: the database (embedded SecantusDB
restarted on a fresh copy of the seeded data, or the server MONGODB_URI
names) and gunicorn with the production settings; their CPU time."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DATABASE_NAME = "speechai_bench"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def cpu_seconds(process):
    """CPU time of a process and all its children, live and reaped."""
    if process is None:
        return 0.0
    try:
        root = psutil.Process(process.pid)
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in root.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Database:
    """The embedded SecantusDB as a subprocess (data restored from a template
    directory at each restart), or the external server of MONGODB_URI (data
    dropped and seeded again: it cannot be restarted from here)."""

    def __init__(self, work=WORK):
        self.external_uri = os.environ.get("MONGODB_URI")
        self.port = free_port()
        self.process = None
        self.work = work
        self.template = work / "template"
        self.live = work / "live"

    @property
    def uri(self):
        return self.external_uri or f"mongodb://127.0.0.1:{self.port}/"

    def start(self, storage):
        if self.external_uri:
            return
        log = open(self.work / "secantusd.log", "a")  # closed with the process
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "secantusd-py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                str(storage),
                "--log-level",
                "WARNING",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process)
        MongoClient(self.uri, serverSelectionTimeoutMS=30000).admin.command("ping")

    def stop(self):
        stop(self.process)
        self.process = None

    def create_template(self, seed):
        """Seed once: `seed(uri)` fills the database; the embedded server's
        files are then kept as the template every block starts from."""
        self.work.mkdir(parents=True, exist_ok=True)
        if self.external_uri:
            self.seed = seed
            return
        shutil.rmtree(self.template, ignore_errors=True)
        self.start(self.template)
        seed(self.uri)
        self.stop()

    def restart_with_fresh_data(self):
        if self.external_uri:
            MongoClient(self.uri).drop_database(DATABASE_NAME)
            self.seed(self.uri)
            return
        self.stop()
        shutil.rmtree(self.live, ignore_errors=True)
        shutil.copytree(self.template, self.live)
        self.start(self.live)

    def snapshot(self, name):
        """Keep the current data as `name` (embedded server only)."""
        if self.external_uri:
            return
        self.stop()
        shutil.rmtree(self.work / name, ignore_errors=True)
        shutil.copytree(self.live, self.work / name)
        self.start(self.live)

    def restore(self, name):
        if self.external_uri:
            self.restart_with_fresh_data()
            return
        self.stop()
        shutil.rmtree(self.live, ignore_errors=True)
        shutil.copytree(self.work / name, self.live)
        self.start(self.live)

    def cpu_seconds(self):
        return cpu_seconds(self.process)


def production_environment(database_uri, secret_key, monitor_dir):
    """What the Docker image runs with, on the bench database, plus the
    opt-in command monitoring (speechai/command_monitor.py)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MONGODB_", "GUNICORN_", "API_"))},
        "DJANGO_SETTINGS_MODULE": "speechai.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(WORK / "static"),
        "MONGODB_URI": database_uri,
        "MONGODB_NAME": DATABASE_NAME,
        "LOG_LEVEL": "WARNING",
        "DB_COMMAND_MONITOR_DIR": str(monitor_dir),
    }


def new_secret_key():
    return secrets.token_urlsafe(50)


class Gunicorn:
    """gunicorn from docker/gunicorn.conf.py with the sizing given."""

    def __init__(self, environment, workers, worker_class, threads):
        self.environment = {
            **environment,
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_WORKER_CLASS": worker_class,
            "GUNICORN_THREADS": str(threads),
        }
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        log = open(WORK / "gunicorn.log", "a")  # closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "docker/gunicorn.conf.py", "speechai.wsgi:application"],
            env={**self.environment, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process)

    def stop(self):
        stop(self.process)
        self.process = None

    def cpu_seconds(self):
        return cpu_seconds(self.process)


def seeded_in_this_process(jobs, batches):
    """The database restarted on freshly seeded data, and Django set up in
    this process on it with the production settings: for the tools that run
    the project's code without a server. Returns the Database (to stop)."""
    import django

    database = Database()
    environment = production_environment(database.uri, new_secret_key(), "")
    environment.pop("DB_COMMAND_MONITOR_DIR")
    os.environ.update(environment)
    django.setup()
    from bench.dataset import seed

    WORK.mkdir(parents=True, exist_ok=True)
    database.create_template(lambda uri: seed(jobs, batches))
    database.restart_with_fresh_data()
    return database


def wait_until_idle(processes, busy_share=0.05, window=0.5, most=15.0):
    """Until the server and database use under `busy_share` of a core
    (background work of the warm-up finished), at most `most` seconds."""
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        before = sum(p.cpu_seconds() for p in processes)
        time.sleep(window)
        if sum(p.cpu_seconds() for p in processes) - before < busy_share * window:
            return
