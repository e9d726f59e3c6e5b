"""The job page reads as a call review: the outcome in words, duration, cost,
sentiment, summary, the payment promise, the transcript as turns and the
recording playable in place; the raw call_result stays available, folded.
Every worker document shape renders."""

import datetime

import pytest
from bson import Decimal128, Int64, ObjectId

from jobs.call_review import call_review, playable_url, transcript_turns
from jobs.models import Job
from speechai.mongo import collection
from tests.calls import called_job
from tests.factories import insert_job, job_document
from tests.staff import VIEW_JOBS, logged_in, staff_user

pytestmark = pytest.mark.django_db

ENDED = datetime.datetime(2026, 11, 20, 15, 30)


@pytest.fixture
def viewer(client):
    return logged_in(client, staff_user("victor", *VIEW_JOBS))


def job_page(client, document):
    collection(Job).insert_one(document)
    response = client.get(f"/admin/jobs/job/{document['_id']}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_finished_call_reads_as_a_review_with_transcript_and_recording(viewer):
    html = job_page(viewer, called_job(ended_at=ENDED, duration=95, cost_cents=15.2, promise=("2026-11-28", 50000)))

    assert "Call completed — The customer hung up" in html
    assert "95 s" in html
    assert "US$ 0.1520" in html
    assert "Positive" in html
    assert "El cliente promete pagar el viernes." in html
    assert "Payment promise:</strong> 50000 on 2026-11-28" in html
    assert '<audio controls preload="none" src="https://recordings.example/call_0123.wav">' in html
    assert html.count('class="turn turn-agent"') == 2
    assert html.count('class="turn turn-customer"') == 2
    assert "El viernes pago cincuenta mil.\ncon transferencia" in html
    assert '<details class="raw-call-result"><summary>Raw call_result</summary>' in html


def test_a_failed_call_says_why_in_words(viewer):
    html = job_page(viewer, called_job(ended_at=ENDED, success=False, reason="dial_no_answer", transcript=""))

    assert "Call failed — No answer" in html
    assert "No transcript." in html
    assert "No payment promise." in html


def test_transcript_lines_become_turns_and_continuation_lines_join_the_turn_before():
    assert transcript_turns("Agente: Hola\nCliente: Sí\n  pago mañana\nAgent:\n") == [
        ("agent", "Hola"),
        ("customer", "Sí\npago mañana"),
        ("agent", ""),
    ]
    assert transcript_turns("no speaker here\nUser: ok") == [(None, "no speaker here"), ("customer", "ok")]
    assert transcript_turns([{"role": "agent", "content": "Hola"}, {"role": "user", "content": "Hi"}, "x"]) == [
        ("agent", "Hola"),
        ("customer", "Hi"),
    ]
    assert transcript_turns(None) == transcript_turns({"a": 1}) == transcript_turns("   ") == []


@pytest.mark.parametrize(
    "url, playable",
    [
        ("https://r.example/a.wav", True),
        ("http://r.example/a.wav", True),
        ("javascript:alert(1)", False),
        ("data:audio/wav;base64,AAAA", False),
        ("//r.example/a.wav", False),
        ("https://[bad", False),
        (None, False),
    ],
)
def test_only_http_recordings_are_playable(url, playable):
    assert (playable_url(url) is not None) is playable


ODD_DOCUMENTS = {
    "not called yet": job_document(status="pending"),
    "being called": job_document(status="in_progress", call_started_at=ENDED),
    "legacy flat job": {"_id": ObjectId(), "status": "done", "nombre": "Ana", "rut": "1-9", "to_number": "+5691"},
    "call_result a list": job_document(status="done", call_result=[{"success": True}, "x"]),
    "call_result a string": job_document(status="failed", call_result="timeout talking to Retell"),
    "call_result empty": job_document(status="failed", call_result={}),
    "summary a string": job_document(status="done", call_result={"success": True, "summary": "ok"}),
    "odd types inside": job_document(
        status="done",
        call_ended_at=ENDED,
        call_result={
            "success": "yes",
            "status": 3,
            "summary": {
                "disconnection_reason": ["user_hangup"],
                "duration_ms": "95000",
                "call_cost": {"combined_cost": Decimal128("NaN"), "total_cost": "12"},
                "call_analysis": ["Positive"],
                "recording_url": "javascript:alert(1)",
                "transcript": {"Agent": "Hola"},
            },
            "timestamp": "yesterday",
        },
        monto_pago_cliente={"amount": 1},
        fecha_pago_cliente=Int64(20261128),
    ),
    "promise as text": called_job(ended_at=ENDED, promise=("viernes", "50.000")),
}


@pytest.mark.parametrize("document", ODD_DOCUMENTS.values(), ids=ODD_DOCUMENTS.keys())
def test_every_worker_document_shape_renders_on_the_job_page(viewer, document):
    html = job_page(viewer, document)

    assert 'class="call-review"' in html
    assert 'src="javascript' not in html


def test_a_job_without_a_call_says_where_it_stands():
    assert "Not called yet" in call_review({"status": "pending"})
    assert "Being called now" in call_review({"status": "in_progress"})
    assert "No call result" in call_review({"status": ["odd"]})
    assert "Raw call_result" not in call_review({"status": "pending"})


def test_a_promise_written_as_text_is_shown_as_written():
    html = call_review(called_job(ended_at=ENDED, promise=("viernes", "50.000")))
    assert "Payment promise:</strong> 50.000 on viernes" in html


def test_the_review_of_a_stored_job_escapes_worker_text(viewer):
    document = called_job(ended_at=ENDED, transcript="User: <script>alert(1)</script>")
    html = job_page(viewer, document)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_job_page_reads_the_document_once_for_the_review(viewer, round_trips):
    document = insert_job(**{k: v for k, v in called_job(ended_at=ENDED).items() if k != "_id"})
    round_trips.reset()
    viewer.get(f"/admin/jobs/job/{document['_id']}/change/")
    assert len([command for command in round_trips.commands if command[1] == "jobs"]) == 1
