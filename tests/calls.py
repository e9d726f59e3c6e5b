"""Jobs after a call, shaped as the call workers write them (`save_call_result`):
`call_result` with Retell's summary, `call_ended_at`, the payment promise."""

import datetime

from bson import Int64

from tests.factories import job_document

TRANSCRIPT = (
    "Agent: Hola, le llamo de Retail Express por su deuda.\n"
    "User: Sí, hola.\n"
    "Agent: ¿Cuándo podría pagar?\n"
    "User: El viernes pago cincuenta mil.\n"
    "con transferencia\n"
)


def called_job(
    *,
    ended_at,
    success=True,
    reason="user_hangup",
    duration=95,
    cost_cents=15.2,
    promise=None,
    transcript=TRANSCRIPT,
    **overrides,
):
    """A job whose last call ended at `ended_at`; `promise` = (date, amount)."""
    call_status = "ended" if success else "not_connected"
    started = ended_at - datetime.timedelta(seconds=duration)
    document = job_document(
        status="done" if success else "failed",
        attempts=Int64(1),
        worker_id="bot-1",
        started_at=started,
        call_id="call_0123456789abcdef",
        call_started_at=started,
        call_ended_at=ended_at,
        call_duration_seconds=duration,
        is_calling=True,
        updated_at=ended_at,
        call_result={
            "success": success,
            "status": call_status,
            "summary": {
                "call_status": call_status,
                "disconnection_reason": reason,
                "duration_ms": Int64(duration * 1000),
                "call_cost": {"combined_cost": cost_cents, "total_duration_seconds": duration},
                "call_analysis": {
                    "call_summary": "El cliente promete pagar el viernes.",
                    "user_sentiment": "Positive",
                    "call_successful": success,
                },
                "recording_url": "https://recordings.example/call_0123.wav",
                "transcript": transcript,
            },
            "details": {"agent_id": "agent_x"},
            "timestamp": ended_at,
        },
    )
    if success:
        document["finished_at"] = ended_at
    else:
        document.update(last_attempt_result=call_status, next_try_at=ended_at + datetime.timedelta(hours=1))
    if promise:
        document["fecha_pago_cliente"], document["monto_pago_cliente"] = promise
    document.update(overrides)
    return document
