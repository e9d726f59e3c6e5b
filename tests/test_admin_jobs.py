"""The jobs changelist and change form of the admin, as a supervisor uses them."""

import datetime
import re

import pytest
from bson import Int64

from audit.models import AuditEntry
from jobs import services
from jobs.models import Job
from speechai.mongo import collection
from tests.factories import insert_batch, insert_job, insert_jobs, stored_job
from tests.staff import VIEW_JOBS, logged_in, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/jobs/job/"


def change_url(document):
    return f"/admin/jobs/job/{document['_id']}/change/"


@pytest.fixture
def viewer(client):
    return logged_in(client, staff_user("victor", *VIEW_JOBS))


def listed_job_ids(response):
    """The `_id`s of the rows on the page (the action checkboxes)."""
    return set(re.findall(r'name="_selected_action" value="([0-9a-f]{24})"', response.content.decode()))


def status_view_labels(response):
    return re.findall(
        r'<a href="\?[^"]*">((?:All|Pending|Scheduled|In Progress|Failed|Done / completed|'
        r"Suspended|Cancelled) \([\d,]+\))</a>",
        response.content.decode(),
    )


def ids(documents):
    return {str(document["_id"]) for document in documents}


def post_action(client, action, selected, query="", **extra):
    data = {"action": action, "_selected_action": [str(d["_id"]) for d in selected], "index": 0, **extra}
    return client.post(CHANGELIST + query, data, follow=False)


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


# Changelist


def test_the_list_shows_what_a_supervisor_needs_per_job(job_operator):
    batch = insert_batch()
    job = insert_job(
        batch_id=batch["batch_id"],
        status="failed",
        attempts=2,
        max_attempts=3,
        last_attempt_result="no_answer",
        contact={"name": "María Soto", "dni": "12345678", "phones": ["+56911112222"]},
        to_number="+56911112222",
    )

    html = job_operator.get(CHANGELIST).content.decode()

    assert job["job_id"] in html
    assert "María Soto" in html
    assert "+56911112222" in html
    assert f'href="/admin/jobs/job/?batch={batch["batch_id"]}"' in html
    assert ">Failed</span>" in html and "#dc2626" in html  # coloured badge
    assert "2/3" in html
    assert "no_answer" in html


def test_status_views_show_counts_of_one_grouped_aggregation(job_operator, round_trips):
    insert_jobs(3, status="pending")
    insert_jobs(2, status="failed")
    insert_jobs(1, status="done")
    insert_jobs(1, status="completed")
    round_trips.reset()

    response = job_operator.get(CHANGELIST)

    assert status_view_labels(response) == [
        "All (7)",
        "Pending (3)",
        "Scheduled (0)",
        "In Progress (0)",
        "Failed (2)",
        "Done / completed (2)",
        "Suspended (0)",
        "Cancelled (0)",
    ]
    job_aggregations = [c for c in round_trips.commands if c == ("aggregate", "jobs")]
    assert len(job_aggregations) == 1  # the status counts, whatever the number of views (rows: a find)


def test_status_counts_follow_the_other_filters_and_the_search(job_operator):
    batch = insert_batch()
    insert_jobs(2, status="failed", batch_id=batch["batch_id"])
    insert_jobs(1, status="pending", batch_id=batch["batch_id"])
    insert_jobs(5, status="failed", batch_id="another-batch")

    response = job_operator.get(CHANGELIST, {"batch": batch["batch_id"], "status": "failed"})

    labels = status_view_labels(response)
    assert "All (3)" in labels and "Failed (2)" in labels and "Pending (1)" in labels
    assert len(listed_job_ids(response)) == 2


def test_the_done_view_lists_done_and_completed_jobs(job_operator):
    done = insert_jobs(1, status="done") + insert_jobs(1, status="completed")
    insert_jobs(2, status="pending")

    response = job_operator.get(CHANGELIST, {"status": "done"})

    assert listed_job_ids(response) == ids(done)


def test_the_batch_filter_takes_either_id_form_and_renders_an_autocomplete(job_operator):
    batch = insert_batch(name="Retail October")
    ours = insert_jobs(2, batch_id=batch["batch_id"])
    insert_jobs(2, batch_id="other")

    by_custom_id = job_operator.get(CHANGELIST, {"batch": batch["batch_id"]})
    by_object_id = job_operator.get(CHANGELIST, {"batch": str(batch["_id"])})

    assert listed_job_ids(by_custom_id) == listed_job_ids(by_object_id) == ids(ours)
    html = by_custom_id.content.decode()
    assert 'class="admin-autocomplete"' in html and 'data-field-name="batch"' in html
    assert "Retail October" in html  # the selected batch, not a list of every batch


def test_the_batch_autocomplete_searches_batches_by_name_or_id(job_operator):
    insert_batch(name="Retail October", batch_id="batch-20251028-aaaa0001")
    insert_batch(name="Telco November", batch_id="batch-20251101-bbbb0002")

    response = job_operator.get(
        "/admin/autocomplete/", {"app_label": "jobs", "model_name": "job", "field_name": "batch", "term": "retail"}
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": "batch-20251028-aaaa0001", "text": "Retail October"}]
    by_id = job_operator.get(
        "/admin/autocomplete/",
        {"app_label": "jobs", "model_name": "job", "field_name": "batch", "term": "batch-20251101"},
    )
    assert [r["id"] for r in by_id.json()["results"]] == ["batch-20251101-bbbb0002"]


def test_filter_by_account_lists_the_accounts_of_the_batches(job_operator):
    insert_batch(account_id="telco")
    insert_batch(account_id="retail_express")
    telco = insert_jobs(2, account_id="telco")
    insert_jobs(2, account_id="retail_express")
    orphan = insert_jobs(1, account_id="legacy_account")  # no batch has this account

    response = job_operator.get(CHANGELIST, {"account": "telco"})

    assert listed_job_ids(response) == ids(telco)
    assert "?account=retail_express" in response.content.decode()
    assert listed_job_ids(job_operator.get(CHANGELIST, {"account": "legacy_account"})) == ids(orphan)


def test_filter_by_created_date_range_inclusive(job_operator):
    def on(day):
        return insert_job(created_at=datetime.datetime(2025, 10, day, 12, 0))

    on(1)
    inside = [on(2), on(3)]
    on(4)

    response = job_operator.get(CHANGELIST, {"created_from": "2025-10-02", "created_to": "2025-10-03"})

    assert listed_job_ids(response) == ids(inside)


def test_an_invalid_date_is_reported_and_ignored(job_operator):
    jobs = insert_jobs(2)

    response = job_operator.get(CHANGELIST, {"created_from": "yesterday"})

    assert response.status_code == 200
    assert listed_job_ids(response) == ids(jobs)
    assert any("not a date" in message for message in messages_of(response))


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("job_retail_e_20251025_174129_b96907c5", "by_job_id"),
        ("+56999990001", "by_phone"),
        ("56999990001", "by_phone"),
        ("22334455", "by_dni"),
        ("ana lóp", "by_name"),
        ("ANA", "by_name"),
    ],
)
def test_search_by_job_id_phone_dni_or_name(job_operator, term, expected):
    jobs = {
        "by_job_id": insert_job(job_id="job_retail_e_20251025_174129_b96907c5"),
        "by_phone": insert_job(to_number="+56999990001"),
        "by_dni": insert_job(contact={"name": "Pedro", "dni": "22334455"}),
        "by_name": insert_job(contact={"name": "Ana López", "dni": "1"}),
    }

    response = job_operator.get(CHANGELIST, {"q": term})

    assert listed_job_ids(response) == {str(jobs[expected]["_id"])}


def test_search_by_object_id_is_an_exact_lookup(job_operator):
    job = insert_job()
    insert_jobs(2)

    response = job_operator.get(CHANGELIST, {"q": str(job["_id"])})

    assert listed_job_ids(response) == {str(job["_id"])}


def test_search_by_part_of_a_job_id_finds_nothing(job_operator):
    insert_job(job_id="job_retail_e_20251025_174129_b96907c5")

    assert listed_job_ids(job_operator.get(CHANGELIST, {"q": "b96907c5"})) == set()


def test_documents_with_missing_or_oddly_typed_fields_render(job_operator):
    odd = insert_job(
        job_id=None,
        status=5,
        contact="not an object",
        to_number=56912345678,
        attempts="3",
        max_attempts=2.0,
        created_at="2025-10-25",
        reserved_until=Int64(7),
        is_calling="yes",
        call_result={"timestamp": datetime.datetime(2025, 10, 25, 17, 46), "summary": {"x": [1, {"y": None}]}},
        legacy_field="kept",
    )
    object_status = insert_job(status={"not": "a string"}, contact={"name": ["a", "list"]})
    bare = {"_id": insert_job()["_id"]}
    collection(Job).replace_one(bare, bare)  # only an _id

    listing = job_operator.get(CHANGELIST)
    assert listing.status_code == 200
    assert listed_job_ids(listing) == {str(odd["_id"]), str(bare["_id"]), str(object_status["_id"])}
    assert "All (3)" in status_view_labels(listing)
    for document in (odd, bare, object_status):
        page = job_operator.get(change_url(document))
        assert page.status_code == 200
    assert "2025-10-25T17:46:00.000000Z" in job_operator.get(change_url(odd)).content.decode()


def test_an_unfiltered_list_is_counted_from_collection_metadata(job_operator, round_trips):
    insert_jobs(3)
    round_trips.reset()

    job_operator.get(CHANGELIST)

    job_commands = [name for name, target in round_trips.commands if target == "jobs"]
    assert job_commands == ["count", "find", "aggregate"]  # estimated count, rows, status counts: no scan to count


def test_pages_are_read_newest_first_with_an_indexed_find(job_operator, round_trips):
    jobs = insert_jobs(150)  # created one second apart, in order
    insert_job(created_at=None, job_id=None)  # no creation date: sorts last
    round_trips.reset()

    second_page = job_operator.get(CHANGELIST, {"p": "2"})

    rows = re.findall(r'name="_selected_action" value="([0-9a-f]{24})"', second_page.content.decode())
    assert rows == [str(d["_id"]) for d in reversed(jobs[:50])] + [rows[-1]]
    assert ("find", "jobs") in round_trips.commands  # sort, skip and limit served by the (created_at, _id) index


def test_the_page_costs_the_same_round_trips_for_10_or_100_rows(job_operator, round_trips):
    def page_round_trips():
        round_trips.reset()
        assert job_operator.get(CHANGELIST).status_code == 200
        return round_trips.count

    insert_jobs(10, batch_id="b-1")
    page_round_trips()  # warms the per-process content-type cache
    with_10 = page_round_trips()
    insert_jobs(90, batch_id="b-1")
    with_100 = page_round_trips()

    assert with_10 == with_100
    # session, user, user and group permissions, accounts, estimated count, rows, status counts
    assert with_100 == 8


# Actions


def test_cancel_asks_for_confirmation_stating_what_will_and_will_not_be_cancelled(job_operator):
    pending = insert_jobs(2, status="pending")
    running = insert_jobs(1, status="in_progress")
    done = insert_jobs(1, status="done")

    response = post_action(job_operator, "cancel_selected_jobs", pending + running + done)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="matched-count">4<' in html
    assert 'id="will-cancel-count">2<' in html
    assert 'id="will-not-cancel-count">2<' in html
    assert "In Progress: 1 — a worker is calling it" in html
    assert "Done: 1 — already finished" in html
    assert all(stored_job(d["_id"])["status"] == "pending" for d in pending)  # nothing changed yet
    assert not AuditEntry.objects.exists()


def test_confirmed_cancel_cancels_the_cancellable_with_the_reason_and_reports(job_operator):
    pending = insert_jobs(2, status="pending")
    failed = insert_jobs(1, status="failed")
    running = insert_jobs(1, status="in_progress")

    response = post_action(
        job_operator, "cancel_selected_jobs", pending + failed + running, confirm="yes", reason="Debt paid"
    )

    assert response.status_code == 302
    for document in pending + failed:
        stored = stored_job(document["_id"])
        assert stored["status"] == "cancelled"
        assert stored["cancellation_reason"] == "Debt paid"
        assert stored["cancelled_by"] == "olga"
    assert stored_job(running[0]["_id"])["status"] == "in_progress"
    assert messages_of(response) == ["Cancelled 3 of 4 matched jobs. Skipped, not cancelled: In Progress 1."]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.actor) == ("jobs.cancel", "admin", "olga")
    assert (entry.matched, entry.changed, entry.skipped, entry.reason) == (4, 3, {"in_progress": 1}, "Debt paid")
    assert set(entry.target_ids) == ids(pending + failed + running)
    assert set(entry.changed_job_ids) == ids(pending + failed)


def test_cancel_of_all_matching_jobs_across_pages_is_one_filtered_update(job_operator, round_trips):
    batch = insert_batch()
    pending = insert_jobs(130, status="pending", batch_id=batch["batch_id"])
    other_batch = insert_jobs(3, status="pending", batch_id="other")
    query = f"?batch={batch['batch_id']}&status=pending"
    first_page = pending[:2]  # what the browser posts: the ticked rows of page 1, and "select across"
    round_trips.reset()

    response = post_action(job_operator, "cancel_selected_jobs", first_page, query, select_across="1", confirm="yes")

    assert response.status_code == 302
    assert all(stored_job(d["_id"])["status"] == "cancelled" for d in pending)
    assert all(stored_job(d["_id"])["status"] == "pending" for d in other_batch)
    updates = [c for c in round_trips.commands if c[0] == "update" and c[1] == "jobs"]
    assert len(updates) == 1
    entry = AuditEntry.objects.get()
    assert entry.filter == {"status": {"$in": ["pending"]}, "batch_id": batch["batch_id"]}
    assert entry.target_ids == []
    assert entry.changed == 130


def test_select_all_confirmation_keeps_the_selection_across_pages(job_operator):
    pending = insert_jobs(120, status="pending")
    insert_jobs(5, status="done")

    page_1 = pending[:100]
    response = post_action(job_operator, "cancel_selected_jobs", page_1, "?status=pending", select_across="1")

    html = response.content.decode()
    assert 'id="will-cancel-count">120<' in html
    assert 'name="select_across" value="1"' in html


def test_an_overlong_reason_is_refused_on_the_confirmation_page(job_operator):
    job = insert_job(status="pending")

    response = post_action(job_operator, "cancel_selected_jobs", [job], confirm="yes", reason="x" * 501)

    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert stored_job(job["_id"])["status"] == "pending"


def test_retry_sends_failed_jobs_back_to_pending_and_reports_the_others(job_operator):
    failed = insert_jobs(2, status="failed", last_error="busy", failed_at=datetime.datetime(2025, 10, 25))
    pending = insert_jobs(1, status="pending")

    response = post_action(job_operator, "retry_selected_jobs", failed + pending)

    assert response.status_code == 302
    for document in failed:
        stored = stored_job(document["_id"])
        assert stored["status"] == "pending"
        assert "last_error" not in stored and "failed_at" not in stored
    assert messages_of(response) == [
        "Sent back to pending 2 of 3 matched jobs. Skipped, not retried (only failed jobs are): Pending 1."
    ]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.changed, entry.skipped) == ("jobs.retry", "admin", 2, {"pending": 1})


def test_find_the_failed_jobs_of_a_batch_and_retry_them_all(job_operator):
    batch = insert_batch()
    failed = insert_jobs(3, status="failed", batch_id=batch["batch_id"])
    insert_jobs(2, status="failed", batch_id="another")

    page = job_operator.get(CHANGELIST, {"batch": batch["batch_id"], "status": "failed"})
    assert listed_job_ids(page) == ids(failed)
    post_action(
        job_operator, "retry_selected_jobs", failed[:1], f"?batch={batch['batch_id']}&status=failed", select_across="1"
    )

    assert all(stored_job(d["_id"])["status"] == "pending" for d in failed)
    assert status_view_labels(job_operator.get(CHANGELIST, {"batch": batch["batch_id"]}))[4] == "Failed (0)"


def test_a_selection_that_names_no_job_is_refused_without_error(job_operator):
    job = insert_job(status="pending")

    response = job_operator.post(
        CHANGELIST,
        {"action": "cancel_selected_jobs", "_selected_action": [str(job["_id"]), "not-an-id"], "index": 0},
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "The selection names something that is not a job the admin can act on (an _id that is not an ObjectId); "
        "nothing changed."
    ]
    assert stored_job(job["_id"])["status"] == "pending"


def test_jobs_are_never_deleted_or_added_from_the_admin(job_operator, client):
    superuser = logged_in(client, staff_user("root", superuser=True))
    html = superuser.get(CHANGELIST).content.decode()

    assert 'value="delete_selected"' not in html
    assert 'value="cancel_selected_jobs"' in html and 'value="retry_selected_jobs"' in html
    assert superuser.get("/admin/jobs/job/add/").status_code == 403


# Permissions


def test_a_read_only_supervisor_sees_jobs_but_no_actions(viewer):
    job = insert_job(status="pending")

    html = viewer.get(CHANGELIST).content.decode()
    assert 'value="cancel_selected_jobs"' not in html and 'value="retry_selected_jobs"' not in html
    response = post_action(viewer, "cancel_selected_jobs", [job], confirm="yes")

    assert response.status_code == 200
    assert stored_job(job["_id"])["status"] == "pending"
    assert viewer.get(change_url(job)).status_code == 200
    assert viewer.post(change_url(job), {"to_number": "+56900000000"}).status_code == 403


def test_each_action_needs_its_own_permission(client):
    can_cancel = logged_in(client, staff_user("carla", "view_job", "cancel_job"))

    html = can_cancel.get(CHANGELIST).content.decode()

    assert 'value="cancel_selected_jobs"' in html
    assert 'value="retry_selected_jobs"' not in html


def test_admin_pages_need_a_staff_login(client):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Change form


def test_the_change_form_writes_only_the_fields_edited(job_operator):
    job = insert_job(status="pending", to_number="+56911111111", legacy_nombre="Juan", max_attempts=Int64(3))
    job["contact"].pop("next_phone_index")
    collection(Job).replace_one({"_id": job["_id"]}, job)
    before = stored_job(job["_id"])

    response = job_operator.post(
        change_url(job),
        {"to_number": "+56922222222", "max_attempts": "3", "status": "cancelled", "attempts": "9"},
    )

    assert response.status_code == 302
    after = stored_job(job["_id"])
    assert after["to_number"] == "+56922222222"
    assert after["updated_at"] > before["updated_at"]
    untouched = {k: v for k, v in after.items() if k not in ("to_number", "updated_at")}
    assert untouched == {k: v for k, v in before.items() if k not in ("to_number", "updated_at")}
    assert isinstance(after["max_attempts"], Int64)  # not re-encoded: it was not edited
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.details) == (
        "jobs.edit",
        "admin",
        {"fields": {"to_number": "+56922222222"}},
    )


def test_the_change_form_refuses_a_malformed_phone(job_operator):
    job = insert_job(to_number="+56911111111")

    response = job_operator.post(change_url(job), {"to_number": "call me", "max_attempts": "3"})

    assert response.status_code == 200
    assert "E.164" in response.content.decode()
    assert stored_job(job["_id"])["to_number"] == "+56911111111"


def test_lifecycle_fields_are_read_only(job_operator):
    html = job_operator.get(change_url(insert_job())).content.decode()

    assert 'name="to_number"' in html and 'name="max_attempts"' in html
    for lifecycle_field in ("status", "attempts", "worker_id", "reserved_until", "cancelled_at", "job_id"):
        assert f'name="{lifecycle_field}"' not in html


def test_the_change_page_lists_the_audit_entries_that_touched_the_job(job_operator):
    job = insert_job(status="failed")
    other = insert_job(status="failed")
    services.retry_job(job["job_id"], actor="api-user")
    services.cancel_jobs_matching({"_id": job["_id"]}, actor="cli-user", source="command", reason="Wrong number")
    services.retry_job(str(other["_id"]), actor="someone-else")

    html = job_operator.get(change_url(job)).content.decode()

    assert "api-user" in html and "cli-user" in html and "Wrong number" in html
    assert "someone-else" not in html
