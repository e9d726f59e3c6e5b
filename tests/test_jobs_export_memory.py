"""An export of 100k jobs streams: the process's memory stays flat while the
rows go out (they are read and written a chunk at a time, never all held)."""

import datetime
import os
from pathlib import Path

import pytest
from bson import ObjectId

from jobs.exports import EXPORT_CHUNK
from jobs.indexes import JOB_INDEXES
from jobs.models import Job
from speechai.indexes import ensure_indexes
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.calls import called_job

pytestmark = pytest.mark.django_db

JOBS = 100_000
STATM = Path("/proc/self/statm")


def rss_mb():
    return int(STATM.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.fixture
def hundred_thousand_jobs():
    """100k worker-shaped jobs; dropped afterwards (faster than the usual
    delete_many on the embedded server) and the indexes put back."""
    template = called_job(ended_at=datetime.datetime(2026, 11, 20, 15, 30), promise=("2026-11-28", 50000))
    jobs = collection(Job)
    for start in range(0, JOBS, 10_000):
        jobs.insert_many(
            [
                {
                    **template,
                    "_id": ObjectId(),
                    "job_id": f"job_{start + i}",
                    "deduplication_key": f"dedup::{start + i}",
                }
                for i in range(10_000)
            ]
        )
    yield
    jobs.drop()
    ensure_indexes(jobs, JOB_INDEXES)


def stream(api, export_format):
    """(bytes sent, RSS samples in MB: one per chunk)."""
    response = api.get(f"/api/v1/jobs/export?format={export_format}")
    assert response.status_code == 200
    samples, size = [], 0
    for chunk in response.streaming_content:
        size += len(chunk)
        samples.append(rss_mb())
    return size, samples


def grew_after_first_chunk(samples):
    """MB gained after the first chunk. The embedded server runs in this
    process and reads its whole result at the cursor's start (a step of a
    few hundred MB at the first chunk, released as the cursor drains); rows
    the export held would show as growth after that point."""
    return max(samples[1:]) - samples[1]


@pytest.mark.skipif(not STATM.exists(), reason="reads the resident set size from /proc")
@pytest.mark.slow
def test_a_100k_job_export_streams_in_flat_memory(hundred_thousand_jobs):
    api = token_client(make_user("reporter", "view_job"))

    size, samples = stream(api, "csv")
    assert size > JOBS * 50
    assert len(samples) >= JOBS // EXPORT_CHUNK  # a chunk per EXPORT_CHUNK rows, not one block
    assert grew_after_first_chunk(samples) < 30

    # The workbook goes to a temporary file first (xlsxwriter keeps one row in
    # memory), then streams from it: flat from the first chunk on too.
    size, samples = stream(api, "xlsx")
    assert size > JOBS * 20
    assert max(samples) - samples[0] < 30
