"""compose.yaml, as `docker compose config` reads it for a deployment whose
.env was copied from .env.example. Needs the compose client only (no Docker
engine); skipped, with the reason, where there is none."""

import json
import re
import shutil
import subprocess

import pytest

from tests.environment import ENV_EXAMPLE, ROOT, documented_variables, new_secret_key, production_environment


def compose_command():
    """`docker compose` (the CLI plugin) or a standalone `docker-compose` v2."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        version = subprocess.run(
            [*command, "version", "--short"], check=False, capture_output=True, text=True, timeout=30
        )
        if version.returncode == 0 and version.stdout.strip().lstrip("v").startswith("2"):
            return command
    return None


COMPOSE = compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE is None, reason="no Docker Compose v2 client (docker compose, docker-compose)"
)


@pytest.fixture
def deployment(tmp_path):
    """A checkout's compose.yaml with a .env made from .env.example."""
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    env = ENV_EXAMPLE.read_text().replace("DJANGO_SECRET_KEY=\n", f"DJANGO_SECRET_KEY={new_secret_key()}\n")
    (tmp_path / ".env").write_text(env)
    return tmp_path


def compose(directory, *arguments):
    return subprocess.run(
        [*COMPOSE, "--project-directory", str(directory), *arguments],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        # Only the deployment's .env decides, not a variable of this shell.
        env=production_environment(),
    )


def resolved(directory):
    result = compose(directory, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@needs_compose
def test_validates_with_an_env_made_from_the_example(deployment):
    assert compose(deployment, "config", "--quiet").returncode == 0


@needs_compose
def test_mongodb_is_a_one_node_replica_set_on_a_named_volume_with_a_healthcheck(deployment):
    mongo = resolved(deployment)["services"]["mongo"]

    assert mongo["image"].split(":")[1].split(".")[0] in {"7", "8"}
    assert mongo["command"][mongo["command"].index("--replSet") + 1] == "rs0"
    assert {"type": "volume", "source": "mongo-data", "target": "/data/db"}.items() <= mongo["volumes"][0].items()
    assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])
    assert "ports" not in mongo


@needs_compose
def test_web_waits_for_mongodb_then_migrates_before_gunicorn(deployment):
    web = resolved(deployment)["services"]["web"]

    assert web["depends_on"]["mongo"]["condition"] == "service_healthy"
    script = web["command"][-1]
    assert script.index("manage.py migrate") < script.index("exec gunicorn --config docker/gunicorn.conf.py")
    assert web["build"]["dockerfile"] == "docker/Dockerfile"
    assert web["ports"][0]["target"] == 8000
    assert web["ports"][0]["published"] == "8000"


@needs_compose
def test_web_gets_its_settings_from_the_env_file(deployment):
    environment = resolved(deployment)["services"]["web"]["environment"]

    assert environment["DJANGO_ALLOWED_HOSTS"] == "localhost,127.0.0.1"
    assert environment["MONGODB_URI"] == "mongodb://mongo:27017/?replicaSet=rs0"
    assert len(environment["DJANGO_SECRET_KEY"]) >= 50


@needs_compose
def test_an_env_without_a_secret_key_is_refused_before_anything_starts(deployment):
    (deployment / ".env").write_text(ENV_EXAMPLE.read_text())

    result = compose(deployment, "config", "--quiet")

    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY in .env" in result.stderr


def test_env_example_documents_the_variables_compose_reads():
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))

    assert "DJANGO_SECRET_KEY" in interpolated
    assert interpolated - documented_variables() == set()


@needs_compose
def test_a_worker_runs_the_background_actions_from_the_web_image_once_web_has_migrated(deployment):
    services = resolved(deployment)["services"]
    worker, web = services["worker"], services["web"]

    assert worker["command"] == ["python", "manage.py", "run_background_actions"]
    assert worker["image"] == web["image"]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    assert worker["environment"]["MONGODB_URI"] == web["environment"]["MONGODB_URI"]
    assert worker["healthcheck"]["disable"] is True
    assert "ports" not in worker
