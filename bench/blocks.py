"""One benchmark block: the database restarted on fresh data, gunicorn
started (the measured server, and a recorder with the command monitor), the
scenario's request recorded, then the project under wrk and its two floors
under raw pymongo threads, each measured with the CPU time of the server and
database processes."""

import http.client
import os
import subprocess
import sys
import time

import django
from pymongo import MongoClient, monitoring

from bench.drivers import Measurement, load_recording, replayer, run_threads, run_wrk
from bench.processes import (
    DATABASE_NAME,
    ROOT,
    WORK,
    Database,
    Gunicorn,
    new_secret_key,
    production_environment,
    wait_until_idle,
)
from bench.scenarios import as_line

WARM_UP_SECONDS = 3
MOST_SECONDS = 120
FLOORS = ("minimal", "own")


class CommandCounter(monitoring.CommandListener):
    """Round trips of the floors (the bench's own client)."""

    count = 0

    def started(self, event):
        self.count += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


class Bench:
    def __init__(self, options):
        self.options = options
        self.database = Database()
        self.secret_key = new_secret_key()
        self.monitor_dir = WORK / "commands"
        self.environment = production_environment(self.database.uri, self.secret_key, self.monitor_dir)
        self.server_environment = {k: v for k, v in self.environment.items() if k != "DB_COMMAND_MONITOR_DIR"}
        self.rows = []

    def setup(self):
        WORK.mkdir(parents=True, exist_ok=True)
        self.monitor_dir.mkdir(exist_ok=True)
        os.environ.update(self.environment)
        django.setup()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=self.environment,
            cwd=ROOT,
            check=True,
        )
        from bench.dataset import seed

        print(f"seeding {self.options.jobs} jobs in {self.options.batches} batches...", flush=True)
        self.database.create_template(lambda uri: seed(self.options.jobs, self.options.batches))

    def fresh_block(self):
        from bench.dataset import Targets, credentials

        self.database.restart_with_fresh_data()
        self.token, self.session = credentials()
        self.data = Targets()
        self.start_servers()
        self.floor_counter = CommandCounter()
        self.floor_client = MongoClient(self.database.uri, maxPoolSize=100, event_listeners=[self.floor_counter])
        self.floor_db = self.floor_client[DATABASE_NAME]

    def start_servers(self):
        """The measured server runs exactly the production settings; the
        recorder, the same with the command monitor (which costs the server
        CPU on every command), answers the recorded requests."""
        self.server = Gunicorn(
            self.server_environment, self.options.workers, self.options.worker_class, self.options.threads
        )
        self.recorder = Gunicorn(self.environment, 1, "gevent", 1)
        self.server.start()
        self.recorder.start()

    def end_block(self):
        self.server.stop()
        self.recorder.stop()
        self.floor_client.close()

    @property
    def headers(self):
        return {
            "Authorization": f"Bearer {self.token}",
            "Cookie": f"sessionid={self.session}",
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
        }

    def send(self, line, record_as=None):
        method, path, body = [*line.split("\t"), ""][:3]
        connection = http.client.HTTPConnection("127.0.0.1", self.recorder.port, timeout=600)
        headers = dict(self.headers)
        if record_as:
            headers.update({"X-DB-Record": "1", "X-Request-ID": record_as})
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, int(response.getheader("X-DB-Commands", "0"))

    def warm_up(self, clients):
        lines = [as_line("GET", f"/api/v1/jobs/{job['_id']}", None) for job in self.data.jobs[:200]]
        lines += [as_line("GET", f"/api/v1/batches/{b['batch_id']}/status", None) for b in self.data.batches[:20]]
        run_wrk(
            self.server.url,
            lines,
            clients=clients,
            seconds=WARM_UP_SECONDS,
            headers=self.headers,
            expected={200},
            work_dir=WORK,
        )

    def measure(self, run, processes):
        wait_until_idle([self.server, self.database])
        before = [p.cpu_seconds() for p in processes]
        measurement = run()
        after = [p.cpu_seconds() for p in processes]
        used = [(b - a) * 1000 / max(measurement.requests, 1) for a, b in zip(before, after, strict=True)]
        return measurement, used

    def project(self, scenario, targets, recorded_trips):
        lines = [as_line(*scenario.request(target)) for target in targets]
        # wrk counts only the requests answered in time: slow ones get room for a few.
        seconds = min(max(scenario.seconds * self.options.seconds_scale, 5 * self.probe_seconds), MOST_SECONDS)
        if scenario.distinct:
            # wrk would cycle through the targets again (cheap refusals) once they run out.
            seconds = min(seconds, 0.8 * len(targets) * self.probe_seconds / scenario.clients)
        measurement, (api, db) = self.measure(
            lambda: run_wrk(
                self.server.url,
                lines,
                clients=scenario.clients,
                seconds=seconds,
                headers=self.headers,
                expected=scenario.expected,
                work_dir=WORK,
            ),
            [self.server, self.database],
        )
        measurement.api_cpu_ms, measurement.db_cpu_ms, measurement.round_trips = api, db, recorded_trips
        return measurement

    def floor(self, scenario, work, targets):
        seconds = scenario.seconds * self.options.seconds_scale
        self.floor_counter.count = 0
        measurement, (db,) = self.measure(
            lambda: run_threads(work, targets, scenario.clients, seconds, scenario.distinct), [self.database]
        )
        measurement.db_cpu_ms = db
        measurement.round_trips = self.floor_counter.count / max(measurement.requests, 1)
        return measurement

    def record(self, scenario, warm_target, target):
        """Sends the request twice (warm, then recorded): its round trips and commands."""
        if warm_target is not None:
            self.send(as_line(*scenario.request(warm_target)))
        # The token fresh in the recorder's cache, as it is in the server's under load.
        self.send(as_line("GET", f"/api/v1/jobs/{self.data.jobs[0]['_id']}", None))
        request_id = f"record-{scenario.key}-{time.monotonic_ns()}"
        started = time.monotonic()
        status, trips = self.send(as_line(*scenario.request(target)), record_as=request_id)
        self.probe_seconds = time.monotonic() - started
        if status not in scenario.expected:
            print(f"  ! {scenario.key}: the recorded request answered {status}", flush=True)
        return trips, load_recording(self.monitor_dir / f"{request_id}.json")

    def cancelled_among(self, targets, most=200):
        ids = [target["_id"] for target in targets]
        cancelled = {
            d["_id"] for d in self.floor_db.jobs.find({"_id": {"$in": ids}, "status": "cancelled"}, {"_id": 1})
        }
        return [target for target in targets if target["_id"] in cancelled][:most]

    def run_http_block(self, block):
        self.fresh_block()
        try:
            self.warm_up(max(scenario.clients for scenario in block))
            shares = None
            for scenario in block:
                if scenario.after is None:
                    targets = scenario.targets(self.data)
                    if scenario.distinct:
                        probes, rest = targets[:2], targets[2:]
                        shares = [rest[i::3] for i in range(3)]
                    else:
                        # Recorded right after the same request, as under load: what
                        # the server reuses for a few seconds (live counts) is reused.
                        probes, shares = [targets[0], targets[0]], [targets] * 3
                elif scenario.again is None:  # the same targets again, refused
                    shares = [self.cancelled_among(share) for share in shares]
                    probes = [shares[0][0], shares[0][0]]
                else:  # a write that undoes the previous one: each target once
                    shares = [scenario.again(self.floor_db, share) for share in shares]
                    probes, shares[0] = shares[0][:2], shares[0][2:]
                trips, commands = self.record(scenario, probes[0], probes[1])
                print(f"  {scenario.key}: {trips} round trips; project...", flush=True)
                project = self.project(scenario, shares[0], trips)
                print(f"    {project.rate:.1f} req/s; floors...", flush=True)
                minimal = self.floor(scenario, lambda t, s=scenario: s.minimal(self.floor_db, t), shares[1])
                own = self.floor(scenario, replayer(self.floor_db, commands, probes[1]), shares[2])
                self.add_row(scenario, project, minimal, own)
        finally:
            self.end_block()

    def run_command_block(self, scenario):
        """A management command on data prepared once and restored before each subject."""
        from bench.dataset import big_batch

        self.fresh_block()
        self.end_block()
        target = {"batch_id": big_batch(10000)}
        self.database.snapshot("prepared")
        self.fresh_block_from("prepared")
        output = self.monitor_dir / f"{scenario.key}.json"
        started = time.monotonic()
        before = self.database.cpu_seconds()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.command_probe", str(output), *scenario.command(target)],
            env=self.environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        commands = load_recording(output)
        project = Measurement(
            1,
            seconds,
            seconds * 1000,
            seconds * 1000,
            seconds * 1000,
            errors=int(process.returncode != 0),
            api_cpu_ms=(usage.ru_utime + usage.ru_stime) * 1000,
            db_cpu_ms=(self.database.cpu_seconds() - before) * 1000,
            round_trips=len(commands),
        )
        self.end_block()
        floors = {}
        for name in FLOORS:
            self.fresh_block_from("prepared")
            if name == "minimal":
                work = lambda t: scenario.minimal(self.floor_db, t)  # noqa: E731
            else:
                work = replayer(self.floor_db, commands, target)
            scenario_once = type(scenario)(**{**scenario.__dict__, "clients": 1})
            floors[name] = self.floor(scenario_once, work, [target])
            self.end_block()
        self.add_row(scenario, project, floors["minimal"], floors["own"])

    def fresh_block_from(self, snapshot):
        self.database.restore(snapshot)
        from bench.dataset import Targets, credentials

        self.token, self.session = credentials()
        self.data = Targets()
        self.start_servers()
        self.floor_counter = CommandCounter()
        self.floor_client = MongoClient(self.database.uri, maxPoolSize=100, event_listeners=[self.floor_counter])
        self.floor_db = self.floor_client[DATABASE_NAME]

    def add_row(self, scenario, project, minimal, own):
        row = {
            "key": scenario.key,
            "title": scenario.title,
            "clients": scenario.clients,
            "project": project,
            "minimal": minimal,
            "own": own,
        }
        self.rows.append(row)
        print(
            f"  = {scenario.title}: project {project.rate:.1f}, minimal {minimal.rate:.1f}, own {own.rate:.1f} req/s",
            flush=True,
        )

    def stop(self):
        self.database.stop()
