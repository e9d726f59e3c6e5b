"""Running the bulk job commands from the tests: in-process, and as a real
`manage.py` process for exit codes."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from tests.environment import ROOT, production_environment


def run(name, *args, answer=None, monkeypatch=None):
    """The command's stdout; `answer` is typed at the confirmation prompt."""
    if answer is not None:
        monkeypatch.setattr("builtins.input", lambda prompt: answer)
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def manage(*args, mongodb_uri, timeout_ms=5000):
    """`python manage.py ...` in its own process against the test database."""
    environment = production_environment(
        MONGODB_URI=mongodb_uri,
        MONGODB_NAME=connections["default"].settings_dict["NAME"],
        MONGODB_TIMEOUT_MS=str(timeout_ms),
        DJANGO_DEBUG="1",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def concurrently(*calls):
    """The results of `calls` (e.g. several `manage` runs that do not depend
    on each other), run at the same time: each process boots Django alone."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


@pytest.fixture
def unreachable_database():
    """The default connection pointed at a port where nothing listens."""
    from pymongo import MongoClient

    connection = connections["default"]
    working_database = connection.database
    unreachable = MongoClient("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=200)
    connection.database = unreachable[working_database.name]
    yield
    connection.database = working_database
    unreachable.close()
