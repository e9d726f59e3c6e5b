"""One MongoDB-wire server for the whole test session: the server named by
MONGODB_URI when set (a real mongod), else SecantusDB started in-process.
Under pytest-xdist each worker process has its own session: its own
SecantusDB, or its own database on the MONGODB_URI server (pytest-django
suffixes the test database's name with the worker id, e.g. `_gw0`)."""

import os
import threading

import pytest
from pymongo import monitoring

HANDSHAKE_COMMANDS = {"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo", "saslStart", "saslContinue"}


class CommandCounter(monitoring.CommandListener):
    """Counts the database round trips the code under test makes."""

    def __init__(self):
        self._lock = threading.Lock()
        self.commands = []
        self.find_filters = []  # (collection, filter) of each find: its query plan can be checked

    def started(self, event):
        if event.command_name not in HANDSHAKE_COMMANDS:
            with self._lock:
                command = event.command
                if event.command_name == "getMore":
                    target = command.get("collection")
                elif event.command_name == "bulkWrite":  # writes to several collections: "jobs+batches+..."
                    target = "+".join(info["ns"].split(".", 1)[1] for info in command.get("nsInfo", []))
                else:
                    target = command.get(event.command_name)
                self.commands.append((event.command_name, target))
                if event.command_name == "find":
                    self.find_filters.append((target, command.get("filter")))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def reset(self):
        with self._lock:
            self.commands = []
            self.find_filters = []

    @property
    def count(self):
        return len(self.commands)

    @property
    def past_authentication(self):
        """The commands but those reading tokens, users, groups and permissions."""
        skipped = AUTH_COLLECTIONS | {"django_content_type"}  # permissions name their model's content type
        return [command for command in self.commands if command[1] not in skipped]


COMMAND_COUNTER = CommandCounter()
AUTH_COLLECTIONS = {"authtoken_token", "auth_user", "auth_permission", "auth_user_groups", "auth_group"}
# The collections shared with the workers (unmanaged models).
SHARED_COLLECTIONS = ("jobs", "batches", "accounts", "transactions")
# The project's own raw collections (no model: Django's flush leaves them).
OWN_RAW_COLLECTIONS = ("dashboard_hours",)


@pytest.fixture(scope="session")
def mongodb_uri():
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    from secantus import SecantusDBServer

    # All of a session's data lives in the storage cache (default 1G), the
    # space of deleted documents included: a worker that ran many tests
    # before the 100k-job export test met WT_CACHE_FULL.
    with SecantusDBServer(storage_path=":memory:", cache_size="4G") as server:
        yield server.uri


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, mongodb_uri):
    from django.conf import settings

    database = settings.DATABASES["default"]
    database["HOST"] = mongodb_uri
    # The in-process server answers the driver's heartbeat late while it
    # serves a long read in the same process (100k jobs): with the production
    # 5 s, the driver would call it down and cancel the operations in flight.
    database["OPTIONS"] = {
        **database.get("OPTIONS", {}),
        "event_listeners": [COMMAND_COUNTER],
        "connectTimeoutMS": 60_000,
    }


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Users are created in most tests; PBKDF2's deliberate slowness (about
    0.3 s a password here) buys nothing in a test database."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    """Outside DEBUG the settings serve the hashed files `collectstatic` writes
    (the Docker image runs it). As Django advises, tests use the plain storage
    and find the apps' files as they are, like development."""
    from django.test import override_settings

    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_worker_collections(request):
    """Django's flush only empties managed models' collections; the shared
    unmanaged ones and the project's own raw ones are emptied here after each
    database test."""
    yield
    uses_database = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_database:
        from django.db import connections

        database = connections["default"]
        for name in SHARED_COLLECTIONS + OWN_RAW_COLLECTIONS:
            database.get_collection(name).delete_many({})


@pytest.fixture
def job_operator(client):
    """A staff user logged in to the admin who may view, cancel and retry
    jobs (the admin jobs tests' supervisor)."""
    from tests.staff import JOB_OPERATOR, logged_in, staff_user

    return logged_in(client, staff_user("olga", *JOB_OPERATOR))


@pytest.fixture
def round_trips(db):
    """Database commands sent from this point on (see CommandCounter)."""
    COMMAND_COUNTER.reset()
    return COMMAND_COUNTER


@pytest.fixture(autouse=True)
def _no_dashboard_figures_kept():
    """The dashboard's figures shared for a few seconds never answer the next test."""
    yield
    from batches.admin_dashboard import SHARED

    SHARED.clear()


@pytest.fixture(autouse=True)
def _database_breaker_closed():
    """A test that met an unreachable database (speechai/database_breaker.py)
    leaves the next test a process that believes the database answers."""
    yield
    from speechai.database_breaker import breaker

    breaker.database_answered()


@pytest.fixture(autouse=True)
def _tokens_and_counts_read_on_every_request():
    """Tests see every request authenticate (one round trip for its token)
    and count its batches' jobs, as with API_TOKEN_CACHE_SECONDS=0 and
    LIVE_COUNTS_SECONDS=0; tests of those caches turn them on. Nothing is
    remembered from one test to the next. (Not the `settings` fixture: some
    tests name a parameter `settings`.)"""
    from django.test import override_settings

    from jobs.recent_counts import RECENT_COUNTS, RECENT_STATUS_COUNTS
    from speechai.authentication import TOKEN_CACHE

    with override_settings(API_TOKEN_CACHE_SECONDS=0, LIVE_COUNTS_SECONDS=0):
        yield
    TOKEN_CACHE.clear()
    RECENT_COUNTS.clear()
    RECENT_STATUS_COUNTS.clear()
