"""The intake endpoints, called exactly as the React frontend's forms call them."""

import json

import pytest

from batches.lifecycle import delete_batch
from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import worker_claims
from tests.intake_files import (
    RUT_A,
    RUT_B,
    RUT_BAD,
    chilean_rows,
    csv_bytes,
    insert_account,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
ACCOUNT = "acc-a1b2c3d4e5f6"


@pytest.fixture
def operator():
    return token_client(make_user("operadora", "add_batch", "change_batch"))


@pytest.fixture
def account():
    return insert_account()


def create(client, content, name="deudores.xlsx", **fields):
    form = {"file": upload(content, name), "account_id": ACCOUNT, **fields}
    return client.post("/api/v1/batches/excel/create", form, format="multipart")


def jobs_of(batch_id):
    return {job["contact"]["dni"]: job for job in collection(Job).find({"batch_id": batch_id})}


def test_preview_with_the_wizard_form_reads_the_file_and_writes_nothing(operator, account):
    form = {"file": upload(xlsx_bytes(chilean_rows())), "account_id": ACCOUNT}
    response = operator.post("/api/v1/batches/excel/preview", form, format="multipart")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True and body["filename"] == "deudores.xlsx"
    preview = body["preview"]
    assert preview["total_rows"] == 6
    assert preview["valid_debtors"] == 3  # María (two rows), Juan, Ana
    assert preview["country_format"] == "CL"
    assert preview["detected_columns"]["RUTS"] == "national_id"
    assert preview["detected_columns"]["Teléfono Residencial"] == "landline"
    assert len(preview["sample_rows"]) == 5 and preview["sample_rows"][0]["Nombre"] == "María José Pérez"
    maria = preview["sample_debtors"][0]
    assert maria["contact"]["dni"] == "12345678-5" and maria["payload"]["debt_amount"] == 195500.0
    bad_rut = body["errors"][0]
    assert (bad_rut["row"], bad_rut["column"], bad_rut["value"]) == (6, "RUTS", RUT_BAD)
    assert "check digit" in bad_rut["message"]
    assert collection(Batch).count_documents({}) == 0 and collection(Job).count_documents({}) == 0


def test_preview_takes_the_account_from_the_query_too(operator, account):
    form = {"file": upload(xlsx_bytes(chilean_rows()))}
    response = operator.post(f"/api/v1/batches/excel/preview?account_id={ACCOUNT}", form, format="multipart")
    assert response.status_code == 200


@pytest.mark.parametrize("query_account_id", ["undefined", "x" * 201])
def test_an_invalid_query_account_id_is_refused_even_beside_the_form_field(operator, account, query_account_id):
    form = {"file": upload(xlsx_bytes(chilean_rows())), "account_id": ACCOUNT}
    response = operator.post(f"/api/v1/batches/excel/preview?account_id={query_account_id}", form, format="multipart")
    assert response.status_code == 400 and "account_id" in response.json()["errors"]


def test_create_as_the_frontend_sends_it_gives_a_batch_a_worker_can_call(operator, account):
    settings = {"max_attempts": 4, "allowed_hours": {"start": "09:00", "end": "20:00"}, "timezone": "America/Santiago"}
    response = create(
        operator,
        xlsx_bytes(chilean_rows()),
        batch_name="Cobranza noviembre",
        batch_description="Cartera vencida",
        allow_duplicates="false",
        call_settings_json=json.dumps(settings),
        processing_type="basic",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["jobs_created"] == 3 and body["total_jobs"] == 3 and body["contacts_processed"] == 3
    assert body["duplicates_skipped"] == 0 and body["invalid_rows"] == 2
    assert body["batch_name"] == "Cobranza noviembre" and body["batch"]["call_settings"] == settings
    batch = collection(Batch).find_one({"batch_id": body["batch_id"]})
    assert batch["import_status"] == "complete" and batch["is_active"] is True
    assert batch["total_jobs"] == 3 and batch["pending_jobs"] == 3
    assert batch["import_stats"]["created"] == 3
    jobs = jobs_of(body["batch_id"])
    maria = jobs["12345678-5"]
    assert maria["status"] == "pending" and maria["max_attempts"] == 4
    assert maria["contact"]["phones"] == ["+56987654321"]  # basic: the best phone, mobile first
    assert maria["payload"]["debt_amount"] == 195500.0
    assert maria["payload"]["due_date"] == "2025-11-25"  # latest due 20/11 + 2 days overdue + 3
    assert maria["payload"]["additional_info"]["fecha_maxima"] == "2025-11-22"  # earliest 10/11 + 5 + 7
    assert maria["deduplication_key"] == f"{ACCOUNT}::12345678-5::{body['batch_id']}"
    assert maria["job_id"].startswith("job_acc-a1b2_")
    assert jobs["15555555-6"]["to_number"] == "+56322123456"  # landline when there is no mobile
    assert worker_claims()["batch_id"] == body["batch_id"]


def test_acquisition_keeps_mobile_and_landline(operator, account):
    response = create(operator, xlsx_bytes(chilean_rows()), processing_type="acquisition")
    phones = jobs_of(response.json()["batch_id"])["12345678-5"]["contact"]["phones"]
    assert phones == ["+56987654321", "+56223456789", "+56229876543"]


def test_a_second_upload_of_the_same_people_skips_them(operator, account):
    first = create(operator, xlsx_bytes(chilean_rows()))
    second = create(operator, xlsx_bytes([*chilean_rows()[:2], chilean_rows()[3]]))
    assert first.status_code == 201
    assert second.status_code == 400
    assert "already have an unfinished job" in second.json()["detail"]

    more = [*chilean_rows(), ["9.876.543-3", "Luis Vera", "Retail Andes", 1000, "2025-11-01", 0, "+56 9 7777 1234", ""]]
    third = create(operator, xlsx_bytes(more))
    assert third.json()["jobs_created"] == 1 and third.json()["duplicates_skipped"] == 3

    forced = create(operator, xlsx_bytes(chilean_rows()), allow_duplicates="true")
    assert forced.json()["jobs_created"] == 3


def test_a_latin1_semicolon_csv_with_chilean_amounts(operator, account):
    rows = [
        ["rut", "nombre", "monto_deuda", "fecha_limite", "teléfono móvil", "comuna"],
        [RUT_A, "José Núñez", "$1.234.567", "30-11-2025", "9 8765 4321", "Ñuñoa"],
        [RUT_B, "Inés Ávila", "15.000,50", "01/12/2025", "+56 9 5123 4567", "Maipú"],
    ]
    response = create(operator, csv_bytes(rows, ";", "latin-1"), name="deudores.csv")

    assert response.status_code == 201, response.json()
    jobs = jobs_of(response.json()["batch_id"])
    assert jobs["12345678-5"]["contact"]["name"] == "José Núñez"
    assert jobs["12345678-5"]["payload"]["debt_amount"] == 1234567.0
    assert jobs["7654321-6"]["payload"]["debt_amount"] == 15000.5
    assert jobs["7654321-6"]["payload"]["additional_info"]["comuna"] == "Maipú"


def test_an_argentine_account_gets_argentine_numbers(operator):
    insert_account(country="AR")
    rows = [
        ["DNI", "Nombre", "Celular", "Teléfono fijo", "Saldo"],
        ["30.123.456", "Lucía Fernández", "11 15 4567-8901", "011 4567-8902", "25000"],
        ["27-30123456-8", "Martín Gómez", "+54 351 456 7890", "", "1000"],
        ["27-30123456-0", "CUIT malo", "+54 9 11 4567 8903", "", "1000"],
    ]
    response = create(operator, xlsx_bytes(rows), processing_type="acquisition")

    assert response.status_code == 201, response.json()
    jobs = jobs_of(response.json()["batch_id"])
    assert jobs["30123456"]["contact"]["phones"] == ["+5491145678901", "+541145678902"]
    assert jobs["27301234568"]["contact"]["phones"] == ["+5493514567890"]  # mobile column: the 9 added
    assert response.json()["errors"][0]["row"] == 4


def test_start_paused_and_priority(operator, account):
    response = create(operator, xlsx_bytes(chilean_rows()), start_paused="true", priority="3")
    batch = collection(Batch).find_one({"batch_id": response.json()["batch_id"]})
    assert batch["is_active"] is False and batch["priority"] == 3
    assert worker_claims() is None


def test_empty_or_null_optional_form_fields_are_not_sent(operator, account):
    """JavaScript's FormData sends null as "null"; an empty field is an unset one."""
    response = create(
        operator,
        xlsx_bytes(chilean_rows()),
        dias_fecha_limite="null",
        dias_fecha_maxima="",
        priority="",
        allow_duplicates="",
        start_paused="",
    )

    assert response.status_code == 201, response.json()
    batch = collection(Batch).find_one({"batch_id": response.json()["batch_id"]})
    assert batch["is_active"] is True and batch["priority"] == 1


def test_upload_adds_jobs_to_an_existing_batch(operator, account):
    created = create(operator, xlsx_bytes(chilean_rows()[:3])).json()
    rows = [["rut", "nombre", "telefonos"], ["9.876.543-3", "Luis Vera", "+56 9 7777 1234; 22 345 6789"]]
    response = operator.post(
        f"/api/v1/batches/{created['batch_id']}/upload",
        {"file": upload(csv_bytes(rows), "extra.csv")},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["message"] == f"Added 1 jobs to batch {created['batch_id']}"
    assert response.json()["jobs_added"] == 1
    assert collection(Batch).find_one({"batch_id": created["batch_id"]})["total_jobs"] == 2


@pytest.mark.parametrize(("how", "state"), [("post-cancel", "cancelled"), ("delete", "deleted")])
def test_upload_into_a_cancelled_or_deleted_batch_is_a_conflict(operator, account, how, state):
    created = create(operator, xlsx_bytes(chilean_rows())).json()
    if how == "delete":
        delete_batch(created["batch_id"], actor="supervisora")
    else:
        operator.post(f"/api/v1/batches/{created['batch_id']}/cancel")
    response = operator.post(
        f"/api/v1/batches/{created['batch_id']}/upload",
        {"file": upload(xlsx_bytes(chilean_rows()))},
        format="multipart",
    )
    assert response.status_code == 409 and f"The batch is {state}" in response.json()["detail"]


@pytest.mark.parametrize(("path", "country"), [("chile", "CL"), ("argentina", "AR")])
def test_country_marketing_endpoints(operator, account, path, country):
    rows = [
        ["DNI" if country == "AR" else "RUT", "Nombre", "Celular"],
        ["30.123.456" if country == "AR" else RUT_A, "Cliente", "11 15 4567-8901" if country == "AR" else "987654321"],
    ]
    form = {
        "file": upload(xlsx_bytes(rows)),
        "account_id": ACCOUNT,
        "company_name": "Tienda Sur",
        "discount_percentage": "15",
        "offer_description": "2x1",
        "product_category": "hogar",
    }
    response = operator.post(f"/api/v1/batches/{path}/marketing", form, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["country"] == country and body["use_case"] == "marketing" and body["jobs_created"] == 1
    job = next(iter(jobs_of(body["batch_id"]).values()))
    assert job["payload"]["company_name"] == "Tienda Sur" and job["max_attempts"] == 2
    assert job["payload"]["additional_info"]["discount_percentage"] == 15.0


def test_unknown_use_case(operator, account):
    form = {"file": upload(xlsx_bytes(chilean_rows())), "account_id": ACCOUNT}
    response = operator.post("/api/v1/batches/chile/survey", form, format="multipart")
    assert response.status_code == 400 and "survey" in response.json()["detail"]


def test_use_cases_are_listed(operator):
    body = operator.get("/api/v1/use-cases").json()
    assert body["use_cases"] == ["debt_collection", "marketing"]
    assert body["countries"]["chile"] == "/api/v1/batches/chile/{use_case}"


def test_creating_needs_the_add_permission(account):
    reader = token_client(make_user("lectora"))
    response = create(reader, xlsx_bytes(chilean_rows()))
    assert response.status_code == 403
    assert collection(Batch).count_documents({}) == 0


@pytest.mark.parametrize(
    ("account_fields", "status", "text"),
    [
        (None, 404, "Account not found"),
        ({"status": "suspended"}, 409, "suspended"),
        ({"credit_balance": 1.0}, 409, "Saldo insuficiente. Necesario: 1.41, disponible: 1.00"),
        (
            {"plan_type": "minutes_based", "minutes_purchased": 10, "minutes_used": 5},
            409,
            "Necesario: 9.00, disponible: 5.00",
        ),
    ],
)
def test_the_account_must_exist_be_active_and_cover_the_cost(operator, account_fields, status, text):
    if account_fields is not None:
        insert_account(**account_fields)
    response = create(operator, xlsx_bytes(chilean_rows()))
    assert response.status_code == status and text in response.json()["detail"]
    assert response.json()["message"] == response.json()["detail"]
    assert collection(Batch).count_documents({}) == 0


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"account_id": "undefined"}, "account_id inválido"),
        ({"call_settings_json": "{not json"}, "call_settings_json debe ser un JSON válido"),
        ({"call_settings_json": '{"ring_timeout": 5}'}, "ring_timeout"),
        ({"processing_type": "premium"}, "processing_type"),
        ({"allow_duplicates": "maybe"}, "allow_duplicates"),
        ({"start_paused": "1"}, "start_paused"),  # "true"/"false" only, as documented
    ],
)
def test_bad_form_fields_are_400s_naming_the_field(operator, account, fields, text):
    response = create(operator, xlsx_bytes(chilean_rows()), **fields)
    assert response.status_code == 400 and text in response.json()["detail"]


def test_a_form_field_over_djangos_memory_limit_is_a_json_413(operator, account):
    response = create(operator, xlsx_bytes(chilean_rows()), call_settings_json="x" * 3_000_000)
    assert response.status_code == 413 and response.json()["detail"] == "The form's fields are too large."


def test_the_preview_costs_one_account_read_and_one_duplicate_query_per_thousand_people(operator, account, round_trips):
    rows = [["RUT", "Nombre", "Celular"]]
    rows += [[f"{n}-{rut_digit(n)}", f"Persona {n}", f"+56 9 {50000000 + n}"] for n in range(10_000_000, 10_001_500)]
    form = {"file": upload(xlsx_bytes(rows)), "account_id": ACCOUNT}
    round_trips.reset()

    response = operator.post("/api/v1/batches/excel/preview", form, format="multipart")

    assert response.json()["preview"]["valid_debtors"] == 1500
    business = [command for command in round_trips.commands if command[1] in ("accounts", "jobs", "batches")]
    assert business == [("find", "accounts"), ("find", "jobs"), ("find", "jobs")]


def test_the_preview_lists_duplicates(operator, account):
    create(operator, xlsx_bytes(chilean_rows()))
    form = {"file": upload(xlsx_bytes(chilean_rows())), "account_id": ACCOUNT}
    preview = operator.post("/api/v1/batches/excel/preview", form, format="multipart").json()["preview"]
    assert preview["duplicates_found"] == 3 and preview["jobs_to_create"] == 0
    first = preview["duplicates_preview"][0]
    assert first["dni"] == "12345678-5" and first["status"] == "pending" and first["batch_id"].startswith("batch-")


def rut_digit(number):
    from stdnum.cl import rut

    return rut.calc_check_digit(str(number))
