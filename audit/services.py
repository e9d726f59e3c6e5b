"""The one writer of the audit log. Called by the services that perform
operator actions (jobs/services.py, batches/services.py), so that no entry
point — API, admin or command — can forget it."""

from django.utils import timezone

from audit.models import MAX_AUDITED_IDS, AuditEntry, AuditState
from speechai.bson_json import to_json


def record_action(
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
    started=False,
):
    """One entry; `started=True` for an action recorded before it runs,
    closed by finish_action."""
    return AuditEntry.objects.create(
        state=AuditState.STARTED if started else AuditState.COMPLETED,
        action=action,
        actor=actor,
        source=source,
        target_ids=[str(i) for i in list(target_ids)[:MAX_AUDITED_IDS]],
        filter=to_json(filter) if filter is not None else None,
        changed_job_ids=[str(i) for i in list(changed_job_ids)[:MAX_AUDITED_IDS]],
        matched=matched,
        changed=changed,
        skipped=to_json(dict(skipped or {})),
        reason=reason,
        details=to_json(details or {}),
    )


def finish_action(entry, *, matched=0, changed=0, state=AuditState.COMPLETED):
    """Close an entry recorded with `started=True`: its counts and state,
    one targeted update."""
    AuditEntry.objects.filter(pk=entry.pk).update(
        state=state, completed_at=timezone.now(), matched=matched, changed=changed
    )
