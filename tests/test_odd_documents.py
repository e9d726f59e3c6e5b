"""Every surface serves every document shape the database can hold
(tests/odd_documents.py): each admin page, filter, search, change form and
action confirmation, each API endpoint and each bulk command's dry run.
None answers 500; each test lists every page that did, not only the first."""

import pytest
from django.contrib.admin.utils import quote

from tests.api import make_user, token_client
from tests.commands import run
from tests.odd_documents import ODD_BATCH_ID, insert_odd_documents
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db

JOBS = "/admin/jobs/job/"
BATCHES = "/admin/batches/batch/"
AUDIT = "/admin/audit/auditentry/"
JOB_STATUS_VIEWS = ["pending", "scheduled", "in_progress", "failed", "done", "suspended", "cancelled", "bogus"]
BATCH_STATES = ["active", "paused", "cancelled", "deleted", "bogus"]


@pytest.fixture
def odd(db):
    return insert_odd_documents()


@pytest.fixture
def admin(client):
    client.raise_request_exception = False  # a 500 is counted, not raised
    return logged_in(client, staff_user("root", superuser=True))


@pytest.fixture
def api(db):
    client = token_client(make_user("operator", superuser=True))
    client.raise_request_exception = False
    return client


def server_errors(responses):
    """[(what, error)] of the responses that are server errors."""
    return [
        (what, repr(getattr(response, "exc_info", None) and response.exc_info[1])[:300])
        for what, response in responses
        if response.status_code >= 500
    ]


def ids_of(documents):
    return [str(document["_id"]) for document in documents]


def custom_ids(documents, key):
    return [document[key] for document in documents if isinstance(document.get(key), str)]


def test_admin_job_pages_filters_and_searches(admin, odd):
    jobs, batches = odd
    queries = [
        {},
        *({"status": view} for view in JOB_STATUS_VIEWS),
        {"batch": ODD_BATCH_ID},
        {"batch": str(batches[0]["_id"])},
        {"batch": "batch-with-a-string-id"},
        {"account": "retail_express"},
        {"account": "17"},
        {"created_from": "2025-01-01", "created_to": "2026-12-31"},
        {"created_from": "not a date"},
        *({"q": term} for term in ["28", "odd-int-status", "Juan", str(jobs[0]["_id"]), "+56911112222", "12345678"]),
        {"o": "9"},
        {"o": "-9"},
        {"all": ""},
        {"status": "failed", "batch": ODD_BATCH_ID, "q": "odd"},
    ]
    responses = [(f"list {query}", admin.get(JOBS, query)) for query in queries]
    responses += [(f"change {job['odd_shape']}", admin.get(f"{JOBS}{quote(str(job['_id']))}/change/")) for job in jobs]
    responses.append(
        (
            "batch autocomplete",
            admin.get(
                "/admin/autocomplete/", {"app_label": "jobs", "model_name": "job", "field_name": "batch", "term": "o"}
            ),
        )
    )

    assert server_errors(responses) == []
    assert admin.get(JOBS).content.decode().count('name="_selected_action"') == len(jobs)


def test_admin_job_actions_on_odd_jobs(admin, odd):
    jobs, _ = odd
    every_id = ids_of(jobs)
    object_ids = [i for i in every_id if len(i) == 24]
    posts = {
        "cancel confirmation, ticked": {"action": "cancel_selected_jobs", "_selected_action": object_ids},
        "cancel confirmation, all": {
            "action": "cancel_selected_jobs",
            "select_across": "1",
            "_selected_action": object_ids[:1],
        },
        "cancel, odd ids ticked": {"action": "cancel_selected_jobs", "_selected_action": every_id},
        "retry, ticked": {"action": "retry_selected_jobs", "_selected_action": object_ids},
        "retry, all": {"action": "retry_selected_jobs", "select_across": "1", "_selected_action": object_ids[:1]},
        "cancel confirmed, all": {
            "action": "cancel_selected_jobs",
            "select_across": "1",
            "_selected_action": object_ids[:1],
            "confirm": "yes",
            "reason": "odd",
        },
    }
    responses = [(name, admin.post(JOBS, {**data, "index": 0})) for name, data in posts.items()]

    assert server_errors(responses) == []
    assert b"Cancel jobs" in responses[0][1].content


def test_admin_change_forms_save_odd_documents(admin, odd):
    jobs, batches = odd
    responses = [
        (f"save job {job['odd_shape']}", admin.post(f"{JOBS}{quote(str(job['_id']))}/change/", edit))
        for job in jobs
        for edit in [{"to_number": "+56911112222", "max_attempts": "4"}, {"to_number": "", "max_attempts": ""}]
    ]
    responses += [
        (f"save batch {batch['odd_shape']}", admin.post(f"{BATCHES}{quote(str(batch['_id']))}/change/", edit))
        for batch in batches
        for edit in [{"name": "Renamed", "priority": "2", "is_active": "on"}, {"name": "", "description": ""}]
    ]

    assert server_errors(responses) == []


def test_admin_batch_pages_filters_and_searches(admin, odd):
    _, batches = odd
    queries = [
        {},
        *({"state": state} for state in BATCH_STATES),
        {"account": "retail_express"},
        {"account": "3"},
        *({"q": term} for term in ["Odd", "batch-odd", str(batches[0]["_id"]), "42"]),
        {"o": "1"},
        {"o": "-2"},
    ]
    responses = [(f"list {query}", admin.get(BATCHES, query)) for query in queries]
    responses += [
        (f"change {batch.get('odd_shape')}", admin.get(f"{BATCHES}{quote(str(batch['_id']))}/change/"))
        for batch in batches
    ]

    assert server_errors(responses) == []
    assert admin.get(BATCHES).content.decode().count('name="_selected_action"') == len(batches)


def test_admin_batch_actions_on_odd_batches(admin, odd):
    _, batches = odd
    every_id = ids_of(batches)
    posts = {
        f"{action}, {which}": {"action": action, **selection}
        for action in ["cancel_batches", "pause_batches", "resume_batches"]
        for which, selection in [
            ("all ticked", {"_selected_action": every_id}),
            ("string _id", {"_selected_action": ["batch-with-a-string-id"]}),
            ("select all", {"select_across": "1", "_selected_action": every_id[:1]}),
        ]
    }
    posts["cancel confirmed"] = {
        "action": "cancel_batches",
        "select_across": "1",
        "_selected_action": every_id[:1],
        "confirm": "yes",
    }
    responses = [(name, admin.post(BATCHES, {**data, "index": 0})) for name, data in posts.items()]

    assert server_errors(responses) == []


def test_admin_audit_pages_after_actions_on_odd_documents(admin, odd):
    jobs, batches = odd
    admin.post(
        JOBS,
        {
            "action": "cancel_selected_jobs",
            "select_across": "1",
            "_selected_action": ids_of(jobs)[:1],
            "confirm": "yes",
            "index": 0,
        },
    )
    object_ids = [i for i in ids_of(batches) if len(i) == 24]
    admin.post(BATCHES, {"action": "pause_batches", "_selected_action": object_ids, "index": 0})
    queries = [{}, {"action": "jobs.cancel"}, {"source": "admin"}, {"actor": "root"}, {"q": "root"}, {"q": "nobody"}]
    responses = [(f"list {query}", admin.get(AUDIT, query)) for query in queries]
    from audit.models import AuditEntry

    responses += [(f"entry {entry.pk}", admin.get(f"{AUDIT}{entry.pk}/change/")) for entry in AuditEntry.objects.all()]

    assert server_errors(responses) == []
    assert AuditEntry.objects.count() >= 2


def test_every_api_endpoint_over_odd_documents(api, odd):
    jobs, batches = odd
    job_refs = ids_of(jobs) + custom_ids(jobs, "job_id")
    batch_refs = ids_of(batches) + custom_ids(batches, "batch_id")
    requests = [
        ("get", "/api/v1/jobs", None),
        *(("get", f"/api/v1/jobs?status={status}", None) for status in JOB_STATUS_VIEWS[:-1]),
        ("get", f"/api/v1/jobs?batch_id={ODD_BATCH_ID}&status=pending,failed,in_progress", None),
        ("get", "/api/v1/jobs?account_id=retail_express&created_after=2020-01-01", None),
        ("get", "/api/v1/batches", None),
        ("get", "/api/v1/batches?is_active=true", None),
        ("get", "/api/v1/dashboard/stats", None),
        ("get", "/api/v1/dashboard/stats?account_id=retail_express", None),
        *(("get", f"/api/v1/jobs/{quote(ref)}", None) for ref in job_refs),
        *(
            ("get", f"/api/v1/batches/{quote(ref)}{suffix}", None)
            for ref in batch_refs
            for suffix in ["", "/status", "/summary", "/jobs"]
        ),
        ("post", "/api/v1/jobs/cancel", {"ids": job_refs, "reason": "odd"}),
        *(("post", f"/api/v1/jobs/{quote(ref)}/{verb}", None) for ref in job_refs for verb in ["retry", "cancel"]),
        *(("patch", f"/api/v1/batches/{quote(ref)}", {"name": "renamed"}) for ref in batch_refs),
        *(("post", f"/api/v1/batches/{quote(ref)}/cancel", {}) for ref in batch_refs),
        *(("delete", f"/api/v1/batches/{quote(ref)}", None) for ref in batch_refs[: len(batch_refs) // 2]),
        *(
            ("delete", f"/api/v1/batches/{quote(ref)}?delete_jobs=true", None)
            for ref in batch_refs[len(batch_refs) // 2 :]
        ),
    ]
    responses = [
        (f"{method.upper()} {url}", getattr(api, method)(url, body, format="json")) for method, url, body in requests
    ]

    assert server_errors(responses) == []
    assert responses[0][1].status_code == 200


def test_bulk_command_dry_runs_over_odd_documents(odd, tmp_path):
    jobs, batches = odd
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids_of(jobs) + custom_ids(jobs, "job_id")))
    selections = [
        ["--batch", ODD_BATCH_ID],
        ["--batch", str(batches[0]["_id"])],
        ["--status", "pending,failed,in_progress"],
        ["--account", "retail_express"],
        ["--created-before", "2030-01-01"],
        ["--ids-file", str(ids_file)],
    ]
    outputs = [
        run(command, *selection, "--dry-run") for command in ["cancel_jobs", "retry_jobs"] for selection in selections
    ]
    outputs.append(run("release_stale_jobs", "--older-than", "1s", "--dry-run"))

    assert all(outputs)
