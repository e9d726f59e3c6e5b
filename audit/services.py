"""The one writer of the audit log. Called by the services that perform
operator actions (jobs/services.py, batches/services.py, batches/lifecycle.py),
so that no entry point — API, admin or command — can forget it.

An action that changes many documents calls `start_action` before its first
write and `finish_action` after its last: a process killed midway leaves a
visible entry in state "started". A single-document action calls
`record_action` once, after the change."""

from django.utils import timezone

from audit.models import MAX_AUDITED_IDS, AuditEntry, AuditState
from speechai.bson_json import to_json
from speechai.mongo import collection, insert_instance, insert_one_of, new_document


def _fields(
    action,
    *,
    actor,
    source,
    target_ids=(),
    filter=None,
    changed_job_ids=(),
    matched=0,
    changed=0,
    skipped=None,
    reason=None,
    details=None,
):
    return {
        "action": action,
        "actor": actor,
        "source": source,
        "target_ids": [str(i) for i in list(target_ids)[:MAX_AUDITED_IDS]],
        "filter": to_json(filter) if filter is not None else None,
        "changed_job_ids": [str(i) for i in list(changed_job_ids)[:MAX_AUDITED_IDS]],
        "matched": matched,
        "changed": changed,
        "skipped": to_json(dict(skipped or {})),
        "reason": reason,
        "details": to_json(details or {}),
    }


def _completed(action, **facts):
    return AuditEntry(**_fields(action, **facts), state=AuditState.COMPLETED, completed_at=timezone.now())


def record_action(action, **facts):
    """One completed entry (a single-document action)."""
    return insert_instance(_completed(action, **facts))


def action_record_writes(action, **facts):
    """The insert of the completed entry `record_action` would write, as
    speechai.mongo.write_in_order writes: made in the same command as the
    action's own write, after it and only if it happened."""
    return [insert_one_of(collection(AuditEntry), new_document(_completed(action, **facts)))]


def record_one(action, target_id, *, found, **facts):
    """A completed action on the one document named `target_id`: matched and
    changed are 1 when it was found, 0 when it was not."""
    return record_action(action, **_on_one(target_id, found), **facts)


def one_record_writes(action, target_id, *, found, **facts):
    """The writes of `record_one`'s entry (see action_record_writes)."""
    return action_record_writes(action, **_on_one(target_id, found), **facts)


def _on_one(target_id, found):
    return {"target_ids": [target_id], "matched": int(found), "changed": int(found)}


def start_action(action, **facts):
    """The entry of a multi-document action, before its first write."""
    return insert_instance(AuditEntry(**_fields(action, **facts), state=AuditState.STARTED))


def finish_action(entry, *, state=AuditState.COMPLETED, **facts):
    """Complete a started entry with what the action did (counts, ids);
    `state=AuditState.FAILED` when it was refused before changing anything."""
    fields = _fields(entry.action, actor=entry.actor, source=entry.source, **facts)
    given = {name: value for name, value in fields.items() if name in _given(facts)}
    if "details" in given:
        given["details"] = {**(entry.details or {}), **given["details"]}
    for name, value in given.items():
        setattr(entry, name, value)
    entry.state, entry.completed_at = state, timezone.now()
    entry.save(update_fields=[*given, "state", "completed_at"])
    return entry


def _given(facts):
    return set(facts) - {"actor", "source"}
