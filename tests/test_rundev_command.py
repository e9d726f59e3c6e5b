"""`manage.py rundev`, the development start command, run as a user would."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "rundev exited early"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_starts_the_embedded_database_and_the_api_and_stops_both(tmp_path):
    if os.environ.get("MONGODB_URI"):
        pytest.skip("MONGODB_URI is set: rundev would use that server instead of the embedded one")
    web_port, db_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("MONGODB_URI", "DJANGO_SETTINGS_MODULE")}
    env.update(SPEECHAI_DEV_DIR=str(tmp_path), EMBEDDED_MONGODB_PORT=str(db_port))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rundev", f"127.0.0.1:{web_port}", "--no-seed"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{web_port}/health", process)
        assert health["status"] == "healthy"
        credentials = (tmp_path / "dev-credentials.txt").read_text()
        token = next(line.split(": ")[1] for line in credentials.splitlines() if line.startswith("API token"))
        request = urllib.request.Request(
            f"http://127.0.0.1:{web_port}/api/v1/jobs", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == []
        assert (tmp_path / "mongo").is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)

    assert "Stopping the embedded database" in output
    assert re.search(r"Background actions worker \S+ started", output)
    assert "Background actions worker stopped." in output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", db_port), timeout=2).close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", web_port), timeout=2).close()
