"""The database's CPU for each piece of a single-job cancel, on the seeded
data: what a cancel costs the server that `make bench` runs against, beside
the minimal floor's single `update_one`. The pieces are made by the same
builders as jobs.moves.move_one (the transition's update, the counters'
deltas, the audit entry), each sent from `--clients` threads on distinct
pending jobs, the database idle before each.

python -m bench.write_costs [--jobs 20000] [--batches 200] [--each 400] [--clients 16]
"""

import argparse

from bench.drivers import run_threads
from bench.processes import seeded_in_this_process, wait_until_idle


def pieces():
    """(name, work(job)) in the order printed; each work moves its own jobs."""
    from audit.models import AuditSource
    from audit.services import action_record_writes
    from jobs.counters import CounterDeltas
    from jobs.models import Job
    from jobs.moves import PROJECTION
    from jobs.services import cancel_job
    from jobs.transitions import CANCEL, Stamp
    from speechai.mongo import collection, update_one_or_fail, write_in_order

    jobs = collection(Job)
    cancellable = {"$in": CANCEL.allowed}

    def job_write(job, stamp):
        seen = {"_id": job["_id"], "status": job["status"], "action_id": job.get("action_id")}
        return update_one_or_fail(jobs, seen, CANCEL.update(stamp))

    def counter_writes(job):
        deltas = CounterDeltas()
        deltas.add(job["batch_id"], job["status"], CANCEL.to_status)
        return deltas.writes()

    def audit_writes(job, stamp):
        return action_record_writes(
            CANCEL.audit_action,
            actor="bench",
            source=AuditSource.API,
            target_ids=[str(job["_id"])],
            reason=None,
            matched=1,
            changed=1,
            changed_job_ids=[job["job_id"]],
            details={"action_id": stamp.action_id},
        )

    def cancel_write(job):
        stamp = Stamp("bench")
        write_in_order([job_write(job, stamp), *counter_writes(job), *audit_writes(job, stamp)])

    def each_write_alone(job):
        stamp = Stamp("bench")
        for write in [job_write(job, stamp), *counter_writes(job), *audit_writes(job, stamp)]:
            write_in_order([write])

    return [
        ("read: find_one by _id", lambda job: jobs.find_one({"_id": job["_id"]}, PROJECTION)),
        (
            "minimal floor: update_one {_id, status $in}",
            lambda job: jobs.update_one({"_id": job["_id"], "status": cancellable}, CANCEL.update(Stamp("bench"))),
        ),
        (
            "the same update_one by _id alone",
            lambda job: jobs.update_one({"_id": job["_id"]}, CANCEL.update(Stamp("bench"))),
        ),
        ("the job's conditional update (bulkWrite)", lambda job: write_in_order([job_write(job, Stamp("bench"))])),
        ("its batch's counters $inc (bulkWrite)", lambda job: write_in_order(counter_writes(job))),
        ("its audit entry insert (bulkWrite)", lambda job: write_in_order(audit_writes(job, Stamp("bench")))),
        ("all three in one bulkWrite (a cancel's write)", cancel_write),
        ("all three as three commands", each_write_alone),
        ("cancel_job(): the read and the write", lambda job: cancel_job(str(job["_id"]), actor="bench")),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--each", type=int, default=400, help="operations per piece, each on its own job")
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()
    database = seeded_in_this_process(options.jobs, options.batches)
    from jobs.models import Job
    from speechai.mongo import collection

    try:
        # Pending jobs of a batch only: the same from-status for every piece.
        fields = {"_id": 1, "job_id": 1, "batch_id": 1, "status": 1, "action_id": 1}
        pending = list(collection(Job).find({"status": "pending", "batch_id": {"$type": "string"}}, fields))
        needed = options.each * len(pieces())
        if len(pending) < needed:
            raise SystemExit(f"{len(pending)} pending jobs, {needed} needed: raise --jobs or lower --each")
        print(f"{options.jobs} jobs in {options.batches} batches, {options.clients} clients, {options.each} each")
        print("| piece | per second | database CPU ms each |\n|---|---|---|")
        for index, (name, work) in enumerate(pieces()):
            chosen = pending[index * options.each : (index + 1) * options.each]
            wait_until_idle([database])
            before = database.cpu_seconds()
            measurement = run_threads(work, chosen, options.clients, 600, distinct=True)
            used_ms = (database.cpu_seconds() - before) * 1000 / measurement.requests
            errors = f" ({measurement.errors} errors)" if measurement.errors else ""
            print(f"| {name} | {measurement.rate:,.0f} | {used_ms:.2f}{errors} |", flush=True)
    finally:
        database.stop()


if __name__ == "__main__":
    main()
