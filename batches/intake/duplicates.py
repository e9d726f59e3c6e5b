"""Who already has a job waiting or being called for the account: one
indexed query, `(account_id, contact.dni, status)`, per chunk of ids."""

from django.db import connections

UNFINISHED = ["pending", "scheduled", "in_progress", "failed"]
CHUNK = 1000


def find_duplicates(account_id, dnis):
    """{dni: {"batch_id", "status", "job_id"}} of an unfinished job of the account."""
    jobs = connections["default"].get_collection("jobs")
    found = {}
    dnis = [dni for dni in dnis if dni]
    for start in range(0, len(dnis), CHUNK):
        cursor = jobs.find(
            {
                "account_id": account_id,
                "contact.dni": {"$in": dnis[start : start + CHUNK]},
                "status": {"$in": UNFINISHED},
            },
            {"_id": 0, "contact.dni": 1, "batch_id": 1, "status": 1, "job_id": 1},
        )
        for job in cursor:
            dni = (job.get("contact") or {}).get("dni")
            found.setdefault(dni, {key: job.get(key) for key in ("batch_id", "status", "job_id")})
    return found
