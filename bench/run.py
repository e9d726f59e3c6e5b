"""make bench: the project under load beside its raw-pymongo floors.

python -m bench.run [--jobs 20000] [--batches 200] [--only key,key] [--seconds-scale 1.0]
"""

import argparse
import datetime
import json
import os
import sys

from bench import report
from bench.blocks import Bench
from bench.drivers import Measurement, require_wrk
from bench.scenarios import SCENARIOS


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--only", help="comma-separated scenario keys (and the ones that run after them)")
    parser.add_argument("--seconds-scale", type=float, default=1.0, help="multiplies each scenario's duration")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--worker-class", default="gevent", choices=["gevent", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread only)")
    return parser.parse_args()


def server_description(options):
    sizing = f"{options.workers} worker(s)"
    if options.worker_class == "gthread":
        return f"{sizing} x {options.threads} threads (gthread)"
    return f"{sizing} (gevent)"


def blocks(selected):
    """Each scenario with those that run after it on the same data."""
    keys = {scenario.key for scenario in selected}
    for scenario in SCENARIOS:
        if scenario.after is None and scenario.key in keys:
            yield [scenario] + [s for s in SCENARIOS if s.after == scenario.key]


def main():
    options = arguments()
    require_wrk()
    selected = SCENARIOS
    if options.only:
        keys = set(options.only.split(","))
        selected = [s for s in SCENARIOS if s.key in keys or s.after in keys]
    bench = Bench(options)
    try:
        bench.setup()
        for block in blocks(selected):
            print(f"block: {', '.join(s.key for s in block)}", flush=True)
            if block[0].command is not None:
                bench.run_command_block(block[0])
            else:
                bench.run_http_block(block)
    finally:
        bench.stop()
    report.RESULTS.mkdir(exist_ok=True)
    settings = {
        "args": " ".join(sys.argv[1:]),
        "jobs": options.jobs,
        "batches": options.batches,
        "database": "MONGODB_URI" if bench.database.external_uri else "embedded SecantusDB (secantusd-py)",
        "server": server_description(options),
        "cores": os.cpu_count(),
        "seconds_note": f"durations x{options.seconds_scale}",
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    rows = bench.rows
    if options.only:  # the other scenarios' rows of the last run stay
        rows = report.merged(report.RESULTS / "latest.json", rows, [s.key for s in SCENARIOS], Measurement)
        settings["args"] += " (merged into the previous full run)"
    report.write_markdown(rows, settings)
    report.write_chart(rows)
    print((report.RESULTS / "latest.md").read_text())
    (report.RESULTS / "latest.json").write_text(
        json.dumps(
            [{k: (v.__dict__ if isinstance(v, Measurement) else v) for k, v in row.items()} for row in rows],
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
