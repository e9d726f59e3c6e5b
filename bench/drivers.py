"""The load: wrk against the server; raw pymongo threads for the floors (the
least work a request needs, and the exact commands the project sent for it,
replayed with the ids of each target)."""

import itertools
import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bson import ObjectId, json_util

HERE = Path(__file__).resolve().parent
# Commands whose replay means nothing without the original cursor.
NOT_REPLAYED = {"getMore", "killCursors"}


@dataclass
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict = field(default_factory=dict)
    api_cpu_ms: float | None = None
    db_cpu_ms: float | None = None
    round_trips: float | None = None

    @property
    def rate(self):
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk():
    if shutil.which("wrk") is None:
        raise SystemExit(
            "make bench drives the server with wrk: install it first (Debian/Ubuntu: sudo apt-get install wrk; "
            "macOS: brew install wrk)."
        )


def run_wrk(url, lines, *, clients, seconds, headers, expected, work_dir):
    """wrk with `clients` connections for `seconds` over the request `lines`."""
    threads = min(2, clients, len(lines))
    requests_file = work_dir / "requests.tsv"
    requests_file.write_text("\n".join(lines) + "\n")
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "120s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(HERE / "requests.lua"), url, "--", str(requests_file), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 300).stdout
    (line,) = [line for line in output.splitlines() if line.startswith("WRK_JSON ")]
    result = json.loads(line.removeprefix("WRK_JSON "))
    statuses = {int(status): count for status, count in result["statuses"].items()}
    unexpected = sum(count for status, count in statuses.items() if status not in expected)
    return Measurement(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        errors=result["socket_errors"] + unexpected,
        statuses=statuses,
    )


def run_threads(work, targets, clients, seconds, distinct):
    """`clients` threads calling work(target) for `seconds`; with `distinct`,
    each target once at most (stopping early when they run out)."""
    if distinct:
        source = iter(targets)
    else:
        source = itertools.cycle(targets)
    lock = threading.Lock()
    latencies, errors = [], [0]
    deadline = time.monotonic() + seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                target = next(source, None)
            if target is None:
                return
            started = time.perf_counter()
            try:
                work(target)
            except Exception:  # counted, like wrk's errors
                errors[0] += 1
            latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return Measurement(len(latencies), elapsed, *percentiles_ms(latencies), errors=errors[0])


def percentiles_ms(latencies):
    if len(latencies) < 2:
        value = latencies[0] * 1000 if latencies else 0.0
        return value, value, value
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def load_recording(path):
    return json_util.loads(Path(path).read_text())


def substitution(recorded_target, target):
    """{value in the recorded target: the same value in `target`}."""
    pairs = {}
    for key, recorded in recorded_target.items():
        value = target[key]
        if isinstance(recorded, list):
            pairs.update(zip(recorded, value, strict=False))
        else:
            pairs[recorded] = value
    return pairs


def substituted(value, pairs):
    if isinstance(value, dict):
        return {key: substituted(item, pairs) for key, item in value.items()}
    if isinstance(value, list):
        return [substituted(item, pairs) for item in value]
    try:
        return pairs.get(value, value)
    except TypeError:  # unhashable
        return value


def fresh_inserted_ids(command):
    """Inserted documents get new ids (a replayed insert would collide)."""
    if "insert" in command:
        command = {**command, "documents": [{**doc, "_id": ObjectId()} for doc in command["documents"]]}
    if "bulkWrite" in command:
        command = {**command, "ops": [_fresh_insert(op) if "insert" in op else op for op in command["ops"]]}
    return command


def _fresh_insert(bulk_write_op):
    return {**bulk_write_op, "document": {**bulk_write_op["document"], "_id": ObjectId()}}


def replayer(database, commands, recorded_target):
    """work(target): the recorded commands again, with the target's ids."""
    replayable = [command for command in commands if next(iter(command)) not in NOT_REPLAYED]

    def work(target):
        pairs = substitution(recorded_target, target) if recorded_target else {}
        for command in replayable:
            # bulkWrite (writes to several collections) runs on `admin`; its namespaces name the database.
            runs_on = database.client.admin if "bulkWrite" in command else database
            runs_on.command(fresh_inserted_ids(substituted(command, pairs)))

    return work
