"""Where the CPU time of one API request goes: cProfile over a few thousand
requests sent through Django's full handler (middleware included) in this
process, against a seeded embedded database, production settings.

python -m bench.profile_request [path] [--requests 2000]   (path default: a job by ObjectId)
python -m bench.profile_request --scenario cancel          (a bench/scenarios.py request,
                                                            the next target each time)
"""

import argparse
import cProfile
import itertools
import json
import pstats
import time

from bench.processes import seeded_in_this_process

ROUNDS = 5


def requests_of(options, targets):
    """An endless iterator of (method, path, body): the path given, or the
    scenario's request for its targets in turn (each once if it writes)."""
    from bench.scenarios import SCENARIOS

    if options.scenario is None:
        path = options.path or f"/api/v1/jobs/{targets.jobs[0]['_id']}"
        return itertools.repeat(("GET", path, None))
    scenario = next(s for s in SCENARIOS if s.key == options.scenario)
    chosen = scenario.targets(targets)
    if scenario.distinct:
        needed = 2 * options.requests + 1
        if len(chosen) < needed:
            raise SystemExit(f"{options.scenario}: {len(chosen)} targets, {needed} needed: raise --jobs")
        return map(scenario.request, chosen)
    return map(scenario.request, itertools.cycle(chosen))


def send(client, request):
    method, path, body = request
    if body is None:  # no body and no Content-Type, as wrk sends it
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), "application/json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?")
    parser.add_argument("--scenario", help="a scenario key of bench/scenarios.py instead of a path")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2000, help="jobs seeded (a write scenario needs more)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="a pstats order: cumulative, tottime...")
    parser.add_argument("--dump", help="also write the profile to this file (for pstats or snakeviz)")
    options = parser.parse_args()
    database = seeded_in_this_process(options.jobs, 20)
    from django.test import Client

    from bench.dataset import Targets, credentials

    try:
        token, session = credentials()
        requests = requests_of(options, Targets())
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session  # the admin's scenarios, as the bench sends them
        first = next(requests)
        assert send(client, first).status_code == 200, first
        rounds = []  # the least of 5 rounds: other work on the machine only ever adds
        for _ in range(ROUNDS):
            started = time.process_time()
            for _ in range(options.requests // ROUNDS):
                send(client, next(requests))
            rounds.append((time.process_time() - started) * 1000 / (options.requests // ROUNDS))
        print(
            f"{first[0]} {first[1]}: {min(rounds):.2f} ms CPU per request (unprofiled; rounds: "
            + " ".join(f"{cpu_ms:.2f}" for cpu_ms in rounds)
            + ")"
        )
        profile = cProfile.Profile(time.process_time)  # CPU, not waits on the database
        profile.enable()
        for _ in range(options.requests):
            send(client, next(requests))
        profile.disable()
        if options.dump:
            profile.dump_stats(options.dump)
        pstats.Stats(profile).sort_stats(options.sort).print_stats(options.top)
    finally:
        database.stop()


if __name__ == "__main__":
    main()
