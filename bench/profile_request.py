"""Where the CPU time of one API request goes: cProfile over a few thousand
requests sent through Django's full handler (middleware included) in this
process, against a seeded embedded database, production settings.

python -m bench.profile_request [path] [--requests 2000]   (path default: a job by ObjectId)
"""

import argparse
import cProfile
import os
import pstats
import time

import django

from bench.processes import Database, new_secret_key, production_environment


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="a pstats order: cumulative, tottime...")
    options = parser.parse_args()
    database = Database()
    environment = production_environment(database.uri, new_secret_key(), "")
    environment.pop("DB_COMMAND_MONITOR_DIR")
    os.environ.update(environment)
    django.setup()
    from django.test import Client

    from bench.dataset import Targets, credentials, seed

    database.create_template(lambda uri: seed(2000, 20))
    database.restart_with_fresh_data()
    try:
        token, _ = credentials()
        path = options.path or f"/api/v1/jobs/{Targets().jobs[0]['_id']}"
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        assert client.get(path).status_code == 200
        started = time.process_time()
        for _ in range(options.requests):
            client.get(path)
        cpu_ms = (time.process_time() - started) * 1000 / options.requests
        print(f"{path}: {cpu_ms:.2f} ms CPU per request (unprofiled)")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(options.requests):
            client.get(path)
        profile.disable()
        pstats.Stats(profile).sort_stats(options.sort).print_stats(options.top)
    finally:
        database.stop()


if __name__ == "__main__":
    main()
