"""Exports of jobs for a customer's report: the API's `GET /api/v1/jobs/export`
and the admin changelist's "Export CSV / XLSX" give every job the current
filter selects, in typed, formula-free cells, streamed, audited."""

import codecs
import csv
import datetime
import io

import openpyxl
import pytest
from bson import Int64, ObjectId
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry, AuditSource, AuditState
from jobs.exports import EXPORT_CHUNK, HEADER, neutralised
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.calls import called_job
from tests.factories import insert_batch, insert_job, insert_jobs
from tests.staff import VIEW_JOBS, logged_in, staff_user

pytestmark = pytest.mark.django_db

ENDED = datetime.datetime(2026, 11, 20, 15, 30, 5)


@pytest.fixture
def api():
    return token_client(make_user("reporter", "view_job"))


def body(response):
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def csv_rows(response):
    content = body(response)
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_a_csv_row_per_job_with_the_report_columns(api):
    batch = insert_batch()
    collection(Job).insert_one(
        called_job(
            ended_at=ENDED,
            duration=95,
            cost_cents=15.2,
            promise=("2026-11-28", Int64(50000)),
            batch_id=batch["batch_id"],
            contact={"name": "María Soto", "dni": "12.345.678-9", "phones": ["+56911112222"]},
            to_number="+56911112222",
            attempts=Int64(2),
        )
    )

    rows = csv_rows(api.get("/api/v1/jobs/export?format=csv"))

    assert rows == [
        HEADER,
        [
            "María Soto",
            "12.345.678-9",
            "'+56911112222",
            batch["batch_id"],
            "done",
            "2",
            "Call completed",
            "The customer hung up",
            "2026-11-20 15:30:05",
            "95",
            "2026-11-28",
            "50000",
            "0.152",
        ],
    ]


def test_the_xlsx_has_the_same_rows_typed(api):
    collection(Job).insert_one(called_job(ended_at=ENDED, duration=95, cost_cents=15.2, promise=("2026-11-28", 500)))

    rows, sheet = xlsx_rows(api.get("/api/v1/jobs/export?format=xlsx"))

    assert rows[0] == HEADER
    job = rows[1]
    assert job[4:] == ["done", 1, "Call completed", "The customer hung up", ENDED, 95, "2026-11-28", 500, 0.152]
    assert sheet.cell(2, 3).data_type == "s"  # the phone stays text


def test_every_matching_job_not_one_page_and_the_list_filters_apply(api):
    batch = insert_batch()
    insert_jobs(1050, status="pending", batch_id=batch["batch_id"])
    insert_jobs(3, status="failed", batch_id=batch["batch_id"])
    insert_jobs(2, status="cancelled", batch_id=batch["batch_id"])
    insert_jobs(4, status="pending", batch_id="another-batch")

    assert len(csv_rows(api.get(f"/api/v1/jobs/export?format=csv&batch_id={batch['batch_id']}"))) == 1 + 1053
    failed = csv_rows(api.get(f"/api/v1/jobs/export?format=csv&batch_id={batch['_id']}&status=failed,cancelled"))
    assert sorted(row[4] for row in failed[1:]) == ["cancelled", "cancelled", "failed", "failed", "failed"]


def test_odd_and_legacy_documents_export_without_error(api):
    legacy = {"_id": ObjectId(), "status": "done", "nombre": "Ana", "rut_fmt": "1.111.111-1", "to_number": "+5691"}
    collection(Job).insert_many(
        [
            legacy,
            {"_id": ObjectId(), "status": "failed", "call_result": ["x"], "attempts": "two"},
            {"_id": ObjectId(), "status": "failed", "call_result": "boom", "contact": "not an object"},
            {"_id": ObjectId(), "status": {"odd": 1}, "monto_pago_cliente": "50.000", "call_ended_at": "yesterday"},
        ]
    )

    rows = csv_rows(api.get("/api/v1/jobs/export?format=csv&status=done,failed"))
    assert ["Ana", "1.111.111-1", "'+5691"] in [row[:3] for row in rows]
    xlsx, _ = xlsx_rows(api.get("/api/v1/jobs/export?format=xlsx&status=done,failed"))
    assert len(xlsx) == len(rows) == 4


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1+1", "-2", "@SUM(A1)", " \t=1+1"])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(api, value):
    insert_job(status="pending", contact={"name": value, "dni": "1", "phones": []}, to_number=None)

    assert csv_rows(api.get("/api/v1/jobs/export?format=csv"))[1][0] == "'" + value.strip()


def test_neutralisation_covers_tab_and_carriage_return_and_leaves_the_rest():
    assert [neutralised(v) for v in ("\tx", "\rx", "ok=", "", 3, None)] == ["'\tx", "'\rx", "ok=", "", 3, None]


def test_xlsx_never_holds_a_formula(api):
    insert_job(status="pending", contact={"name": "=1+1", "dni": "@x", "phones": []}, to_number="+5691")

    rows, sheet = xlsx_rows(api.get("/api/v1/jobs/export?format=xlsx"))

    assert rows[1][:3] == ["=1+1", "@x", "+5691"]
    assert {sheet.cell(2, column).data_type for column in (1, 2, 3)} == {"s"}


def test_each_export_is_audited_with_who_what_and_how_many(api):
    insert_jobs(3, status="failed", account_id="acme")
    body(api.get("/api/v1/jobs/export?format=csv&account_id=acme"))

    entry = AuditEntry.objects.get(action=AuditAction.EXPORT_JOBS)
    assert (entry.actor, entry.source, entry.matched, entry.state) == ("reporter", "api", 3, AuditState.COMPLETED)
    assert entry.filter["account_id"] == "acme"
    assert entry.details["format"] == "csv"
    assert entry.completed_at is not None


@pytest.mark.parametrize(
    "query, field",
    [
        ("format=pdf", "format"),
        ("", "format"),
        ("format=csv&status=nope", "status"),
        ("format=csv&created_after=x", "created_after"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, query, field):
    response = api.get(f"/api/v1/jobs/export?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not AuditEntry.objects.exists()


def test_the_export_needs_the_view_jobs_permission():
    assert token_client(make_user("nobody")).get("/api/v1/jobs/export?format=csv").status_code == 403
    assert APIClient().get("/api/v1/jobs/export?format=csv").status_code == 401


def test_export_is_routed_before_the_job_detail(api):
    assert api.get("/api/v1/jobs/export/?format=csv").status_code == 200


def test_the_openapi_schema_documents_the_export(api):
    schema = api.get("/api/schema?format=json").json()
    operation = schema["paths"]["/api/v1/jobs/export"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"format", "status", "batch_id", "account_id", "created_after", "created_before"} <= names
    assert not {"skip", "limit"} & names
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(
        operation["responses"]["200"]["content"]
    )


# Admin


def test_the_changelist_offers_the_export_of_its_current_filter(client):
    logged_in(client, staff_user("victor", *VIEW_JOBS))
    html = client.get("/admin/jobs/job/?status=failed&account=acme").content.decode()
    assert 'href="/admin/jobs/job/export/csv/?account=acme&amp;status=failed"' in html
    assert 'href="/admin/jobs/job/export/xlsx/?account=acme&amp;status=failed"' in html


def test_the_admin_exports_every_job_of_the_filter_and_search(client):
    logged_in(client, staff_user("victor", *VIEW_JOBS))
    insert_jobs(120, status="failed", account_id="acme")
    insert_jobs(5, status="pending", account_id="acme")
    insert_jobs(7, status="failed", account_id="other")
    wanted = insert_job(status="failed", account_id="acme", to_number="+56999990000")

    rows = csv_rows(client.get("/admin/jobs/job/export/csv/?status=failed&account=acme&p=2"))
    assert len(rows) == 1 + 121
    assert {row[4] for row in rows[1:]} == {"failed"}
    searched, _ = xlsx_rows(client.get("/admin/jobs/job/export/xlsx/?q=%2B56999990000"))
    assert [row[2] for row in searched[1:]] == [wanted["to_number"]]
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT_JOBS).order_by("created_at").first()
    assert (entry.actor, entry.source, entry.matched) == ("victor", AuditSource.ADMIN, 121)
    assert entry.filter["account_id"] == "acme"


def test_the_admin_export_refuses_unknown_formats_and_users_without_view(client):
    logged_in(client, staff_user("victor", *VIEW_JOBS))
    assert client.get("/admin/jobs/job/export/pdf/").status_code == 302
    client.logout()
    logged_in(client, staff_user("nobody"))
    response = client.get("/admin/jobs/job/export/csv/")
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.exists()


def test_jobs_are_read_a_chunk_per_round_trip(api, round_trips):
    insert_jobs(2 * EXPORT_CHUNK + 10, status="pending")
    round_trips.reset()

    assert len(csv_rows(api.get("/api/v1/jobs/export?format=csv"))) == 1 + 2 * EXPORT_CHUNK + 10

    reads = [command for command in round_trips.commands if command[1] == "jobs"]
    assert reads == [("find", "jobs"), ("getMore", "jobs"), ("getMore", "jobs")]
