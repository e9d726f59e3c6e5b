"""Admin bulk actions too big for one request, run in the background.

Cancelling on the embedded database changes about 150 jobs a second (on
mongod tens of thousands), so an action over more than
ADMIN_BULK_SYNC_LIMIT jobs would outlive gunicorn's 30 s timeout. Such an
action is queued in MongoDB (audit.BackgroundAction: no broker) and run by
`manage.py run_background_actions`, which calls the very service the
request would have called, recording its progress per chunk. Below the
limit the admin runs it in the request as before."""

import logging
import os
import socket

from bson import json_util
from django.conf import settings

from audit.models import AuditAction, AuditSource, BackgroundAction, BackgroundActionState
from jobs import services
from speechai.bson_json import to_json
from speechai.logging import database_cause
from speechai.mongo import collection, utc_now

logger = logging.getLogger(__name__)

# The service each queued action runs, called as the admin calls it.
SERVICES = {
    AuditAction.CANCEL_JOBS: services.cancel_jobs_matching,
    AuditAction.RETRY_JOBS: services.retry_jobs_matching,
    AuditAction.RESTORE_JOBS: services.restore_jobs_matching,
}
# Keeps ObjectIds, dates and regexes of a changelist filter as they are.
EXACT_JSON = json_util.JSONOptions(json_mode=json_util.JSONMode.CANONICAL)


def too_big_for_a_request(action, query, ids, *, actor, planned=None):
    """True if `action` on this selection would change more than
    ADMIN_BULK_SYNC_LIMIT jobs: `planned`, the count a confirmation page
    showed, if given; else counted by the service's dry run (ticked ids
    under the limit are not even counted)."""
    limit = settings.ADMIN_BULK_SYNC_LIMIT
    if planned is not None:
        return planned > limit
    if ids is not None and len(ids) <= limit:
        return False
    plan = SERVICES[action](query, ids=ids, actor=actor, source=AuditSource.ADMIN, dry_run=True)
    return plan.eligible > limit


def enqueue(action, query, ids, *, actor, **options):
    """Queue `action` (an AuditAction of SERVICES) for the worker."""
    return BackgroundAction.objects.create(
        action=action,
        actor=actor,
        query=json_util.dumps(query, json_options=EXACT_JSON),
        target_ids=ids,
        options=options,
    )


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next(worker):
    """The oldest queued action, now running for `worker`; None if there is
    none. The claim is one conditional update, so two workers never run the
    same action: the one whose update matched won."""
    queue = collection(BackgroundAction)
    queued = {"state": BackgroundActionState.QUEUED.value}
    for candidate in queue.find(queued, {"_id": 1}, sort=[("state", 1), ("created_at", 1)], limit=10):
        now = utc_now()
        claim = {"$set": {"state": BackgroundActionState.RUNNING.value, "worker": worker, "started_at": now}}
        if queue.update_one({"_id": candidate["_id"], **queued}, claim).modified_count:
            return BackgroundAction.objects.get(pk=candidate["_id"])
    return None


def _update_running(action, fields):
    """$set `fields` on `action` while it is still running (its worker's own writes)."""
    collection(BackgroundAction).update_one(
        {"_id": action.pk, "state": BackgroundActionState.RUNNING.value},
        {"$set": {**fields, "updated_at": utc_now()}},
    )


def run(action):
    """Run a claimed action through its service, recording progress per
    chunk, then mark it completed (with the service's counts) or failed
    (with the error). A worker killed midway leaves it running, its
    progress as last recorded: visible on its page."""
    service = SERVICES[action.action]
    try:
        result = service(
            json_util.loads(action.query, json_options=EXACT_JSON),
            ids=action.target_ids,
            actor=action.actor,
            source=AuditSource.ADMIN,
            progress=lambda done, total: _update_running(action, {"done": done, "total": total}),
            **action.options,
        )
    except Exception as error:  # recorded on the action for the operator, then the worker goes on
        logger.exception("Background action %s failed", action.pk)
        failed = {"state": BackgroundActionState.FAILED.value, "finished_at": utc_now(), "error": database_cause(error)}
        _update_running(action, failed)
        return False
    _update_running(
        action,
        {
            "state": BackgroundActionState.COMPLETED.value,
            "finished_at": utc_now(),
            "done": result.changed,
            "total": result.eligible,
            "matched": result.matched,
            "changed": result.changed,
            "skipped": to_json(result.skipped),
        },
    )
    return True
