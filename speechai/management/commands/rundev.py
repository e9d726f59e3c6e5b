"""Start everything for development: the embedded database (unless
MONGODB_URI names a server), migrations and indexes, the supervisor groups,
demo data on an empty database, a development admin account, the worker of
the admin's background actions, and Django's development server."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pymongo import MongoClient
from pymongo.errors import PyMongoError

# Development state (database files, credentials), git-ignored.
DEV_DIR = Path(os.environ.get("SPEECHAI_DEV_DIR") or Path(settings.BASE_DIR) / "var")
DATA_DIR = DEV_DIR / "mongo"
CREDENTIALS_FILE = DEV_DIR / "dev-credentials.txt"
STARTUP_SECONDS = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_database(uri, process=None):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CommandError(f"The embedded database exited with code {process.returncode}.")
        client = MongoClient(uri, serverSelectionTimeoutMS=1000)
        try:
            client.admin.command("ping")
            return
        except PyMongoError:
            time.sleep(0.5)
        finally:
            client.close()
    raise CommandError(f"No MongoDB answered at {uri} within {STARTUP_SECONDS} s.")


def stop(process, group=False):
    if process.poll() is not None:
        return
    if group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


class Command(BaseCommand):
    help = "Run the back office for development (embedded SecantusDB unless MONGODB_URI is set)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-seed", action="store_true", help="Do not fill an empty database with demo data.")

    def handle(self, addrport, no_seed, **options):
        # Ctrl-C and SIGTERM both end everything this command started.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true")}
        database = server = worker = None
        try:
            if os.environ.get("MONGODB_URI"):
                uri = os.environ["MONGODB_URI"]
                self.stdout.write(f"Using MongoDB at {uri} (MONGODB_URI).")
            else:
                database, uri = self.start_embedded_database()
                env["MONGODB_URI"] = uri
            wait_for_database(uri, database)
            self.manage(env, "migrate", "--noinput")
            self.manage(env, "create_supervisor_groups")
            if not no_seed:
                self.manage(env, "seed_demo", "--if-empty")
            if database is not None:
                self.ensure_dev_admin(env)
            self.stdout.write(self.style.SUCCESS(f"API http://{addrport}/api/v1  Swagger http://{addrport}/docs"))
            # The admin's background actions (jobs/background_actions.py). Each
            # child has its own process group, so Ctrl-C reaches them only as
            # the SIGTERM below (the worker ends its current action first).
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "run_background_actions"], env=env, start_new_session=True
            )
            # The autoreloader's child is stopped with its group.
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", addrport], env=env, start_new_session=True
            )
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if server is not None:
                stop(server, group=True)
            if worker is not None:
                stop(worker)
            if database is not None:
                self.stdout.write("Stopping the embedded database...")
                stop(database)

    def start_embedded_database(self):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        port = int(os.environ.get("EMBEDDED_MONGODB_PORT") or free_port())
        uri = f"mongodb://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen([*command, "--storage-path", str(DATA_DIR), "--log-level", "WARNING"])
        self.stdout.write(f"Embedded MongoDB (SecantusDB) at {uri}, data in {DATA_DIR}")
        return process, uri

    def manage(self, env, *args, capture=False):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], env=env, check=False, capture_output=capture, text=True
        )
        if result.returncode != 0:
            raise CommandError(f"manage.py {' '.join(args)} failed with exit code {result.returncode}.")
        return result.stdout

    def ensure_dev_admin(self, env):
        """A superuser `admin` and its API token for the embedded database,
        created once; kept in var/dev-credentials.txt (git-ignored)."""
        if CREDENTIALS_FILE.exists():
            self.stdout.write(f"Development admin and API token: see {CREDENTIALS_FILE}")
            return
        password = secrets.token_urlsafe(12)
        try:
            self.manage(
                {**env, "DJANGO_SUPERUSER_PASSWORD": password},
                *("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@localhost"),
                capture=True,
            )
        except CommandError:
            self.stdout.write("A user 'admin' exists already (var/dev-credentials.txt was removed); keeping it.")
            return
        token = self.manage(env, "api_token", "admin", capture=True).strip()
        CREDENTIALS_FILE.write_text(
            f"admin user: admin\nadmin password: {password}\nAPI token: {token}\n"
            "Send it as: Authorization: Bearer <token>\n"
        )
        self.stdout.write(self.style.WARNING(CREDENTIALS_FILE.read_text()))
