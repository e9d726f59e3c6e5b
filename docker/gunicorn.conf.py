"""gunicorn, the production server: `gunicorn -c docker/gunicorn.conf.py speechai.wsgi:application`
from the project's root (the Docker image's command).

Each value can be set through the environment; the defaults suit a container
given a few cores. Logs (errors and one access line per request) go to stdout
in the format of the Django settings (JSON unless LOG_FORMAT=plain).
"""

import gc
import math
import os

# gevent's worker (the default): each request a greenlet, one OS thread per
# process, so requests waiting on MongoDB overlap without threads contending
# for Python's lock (README "Performance": measured against gthread). The
# standard library is patched here, before the application is preloaded in
# this process, so that everything it imports already cooperates. "gevent"
# is gunicorn's worker made to be replaced at once when it stops
# (speechai/gevent_worker.py).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "gevent"
if worker_class == "gevent":
    from gevent import monkey

    monkey.patch_all()
    worker_class = "speechai.gevent_worker.GeventWorker"

# The web server bounds each wait for a database reply under its own timeout
# (30 s), so a request on a database gone without closing its connections
# still answers 503; set before the settings are read.
os.environ.setdefault("MONGODB_SOCKET_TIMEOUT_MS", "20000")

# After the patching above, on purpose.
from speechai import settings as django_settings  # noqa: E402
from speechai.access_log import ACCESS_LOG_FORMAT  # noqa: E402
from speechai.production import exposed_open_mode_problem  # noqa: E402


def available_cores():
    """Cores this process may use: the container's CPU quota (cgroup v2
    cpu.max) when one is set, else the CPUs it is allowed to run on."""
    cores = len(os.sched_getaffinity(0))
    try:
        with open("/sys/fs/cgroup/cpu.max") as cpu_max:
            quota, period = cpu_max.read().split()
    except (OSError, ValueError):
        return cores
    if quota == "max":
        return cores
    return max(1, min(cores, math.ceil(int(quota) / int(period))))


# PORT is what most platforms set; GUNICORN_BIND overrides the whole address.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def on_starting(server):
    """The open development mode never listens beyond loopback (checked on
    the final addresses, --bind included, before any socket is opened)."""
    problem = exposed_open_mode_problem(django_settings.API_AUTH_DISABLED, server.cfg.bind)
    if problem:
        server.log.error(problem)
        raise SystemExit(1)


def post_worker_init(worker):
    """A new worker (gunicorn restarts them, e.g. after max_requests) learns
    whether the database answers before its first request, so that during an
    outage it fails fast at once (speechai/database_breaker.py)."""
    from speechai.database_breaker import breaker

    breaker.check(django_settings.MONGODB_PROBE_TIMEOUT_MS)


# Sizing. A request runs Python only for its own CPU time (under 1 ms for a
# single job, 5-10 ms for a page of 100; README "Performance") and waits on
# MongoDB the rest of the time, during which its process serves others: one
# process per core plus one keeps every core busy. More processes than cores
# only add memory (~80 MB each). Beyond one machine's cores, add machines
# (docs/scaling.md). A process takes at most worker_connections connections
# at once (the rest wait in the listen queue for a process with room), as
# many as its MongoDB connection pool holds (pymongo's default, 100).
workers = int(os.environ.get("GUNICORN_WORKERS") or available_cores() + 1)
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS") or 100)
# Threads per process, for GUNICORN_WORKER_CLASS=gthread only.
threads = int(os.environ.get("GUNICORN_THREADS") or 4)

# A request running longer than this is killed (its worker restarted).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM (docker stop, a rolling update) workers finish the requests in
# flight for up to this long before they are killed; keep the orchestrator's
# grace period longer (compose.yaml: stop_grace_period).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
# Idle keep-alive connections from the load balancer are held this long;
# make it longer than the load balancer's own idle timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
# Restarting workers now and then bounds the memory any leak can take. Each
# worker draws its own limit between max_requests and 1.5 x max_requests, so
# workers started together are not recycled together; and the application is
# loaded once in the master (preload_app), so a recycled worker is a fork
# that serves within milliseconds instead of importing Django again (about a
# second during which a lone worker answered nothing: the p99 stalls).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 10000)
max_requests_jitter = max_requests // 2
# Safe: nothing connects to MongoDB while the application loads; each worker
# opens its own connections on its first request.
preload_app = True


def pre_fork(server, worker):
    """The preloaded application's ~100,000 objects are set aside from the
    garbage collector before each fork: a worker's full collections then
    walk only what it made itself (measured: 12 ms a collection instead of
    67 ms, every request of the process waiting meanwhile), and leave the
    pages it shares with the master unwritten."""
    gc.freeze()


# Request size limits gunicorn enforces before Django sees the request: a
# request line (method, URL, version) over 4094 bytes is a 414 and a header
# over 8190 bytes a 400, both gunicorn's own short HTML answers. The API's
# URLs are short (bulk ids go in the body); bodies are capped by Django
# (DATA_UPLOAD_MAX_MEMORY_SIZE, a JSON 413).
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE") or 4094)
limit_request_field_size = 8190

# The workers' heartbeat files on tmpfs, not the container's disk layer.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No runtime control socket: nothing uses it, and it would need a writable home.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = "speechai.access_log.AccessLogger"
loglevel = django_settings.LOG_LEVEL.lower()
logconfig_dict = django_settings.LOGGING
