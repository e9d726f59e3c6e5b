"""What a job action reports: per id for the API's list actions, per status
for the actions on a filter (admin "select all", commands)."""

from dataclasses import dataclass, field

from jobs.counts import status_key

CHANGED_CONCURRENTLY = "changed concurrently"
IN_CLOSED_BATCH = "batch cancelled or deleted"


@dataclass
class IdsOutcome:
    moved: list = field(default_factory=list)  # raw ids as sent
    not_found: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [{"id": ..., "status": ...}]
    matched: int = 0
    moved_job_ids: list = field(default_factory=list)  # their _ids

    @property
    def skipped(self):
        counts = {}
        for item in self.refused:
            key = status_key(item["status"])
            counts[key] = counts.get(key, 0) + 1
        return counts


@dataclass
class BulkTransitionResult:
    """What a bulk action matched, changed, and skipped by status."""

    allowed_statuses: tuple
    dry_run: bool
    by_status: dict = field(default_factory=dict)  # matched jobs per status when the action started
    changed: int = 0
    blocked: int = 0  # status allowed, but in a batch still cancelled or deleted (restore)
    changed_ids: list = field(default_factory=list)
    planned: bool = True  # by_status was counted first

    @property
    def matched(self):
        return sum(self.by_status.values())

    @property
    def eligible(self):
        """Matched jobs the action may change: their status allows it (and,
        for a restore, their batch is not cancelled or deleted)."""
        allowed = sum(count for status, count in self.by_status.items() if status in self.allowed_statuses)
        return allowed - self.blocked

    @property
    def skipped(self):
        """{status: count} of matched jobs left unchanged; eligible ones in a
        closed batch count under IN_CLOSED_BATCH, and those changed by someone
        else meanwhile (a worker claimed them) under CHANGED_CONCURRENTLY."""
        skipped = {status: n for status, n in self.by_status.items() if status not in self.allowed_statuses}
        if self.blocked:
            skipped[IN_CLOSED_BATCH] = self.blocked
        if self.planned and not self.dry_run and self.changed < self.eligible:
            skipped[CHANGED_CONCURRENTLY] = self.eligible - self.changed
        return skipped
