"""Calls for the demo data, shaped as the workers write them
(`save_call_result`): when they happened (all in the past, most of them in
business hours of the last days, busiest today) and what they left behind
(outcome, disconnection reason, transcript, analysis, payment promise)."""

import datetime
import uuid

from bson import Int64

# Calls happen 09:00-20:00 in Santiago (UTC-3): weight of each UTC hour.
HOUR_WEIGHTS = [3 if 12 <= hour <= 22 else (1 if hour in (11, 23) else 0) for hour in range(24)]
# How long ago a call was: recent days weigh more (a live campaign).
DAYS_AGO_WEIGHTS = [30, 20, 12, 8, 6, 5, 4] + [1] * 23
ANSWERED_REASONS = {"user_hangup": 50, "agent_hangup": 35, "voicemail_reached": 10, "inactivity": 5}
UNANSWERED = {  # reason: Retell call_status
    "dial_no_answer": "not_connected",
    "dial_busy": "not_connected",
    "dial_failed": "error",
    "voicemail_reached": "ended",
}
UNANSWERED_WEIGHTS = [50, 25, 10, 15]
PROMISE_SHARE = 0.4


class DemoCalls:
    def __init__(self, rng, now):
        self.rng = rng
        self.now = now

    def call_time(self, not_before):
        """A moment in the past, after `not_before`, in calling hours."""
        rng = self.rng
        for _ in range(20):
            day = self.now.date() - datetime.timedelta(days=rng.choices(range(30), DAYS_AGO_WEIGHTS)[0])
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            moment = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(
                seconds=rng.randrange(3600)
            )
            if not_before <= moment <= self.now - datetime.timedelta(minutes=10):
                return moment
        # A young campaign: anywhere between its start and now.
        span = max((self.now - not_before).total_seconds(), 60)
        return min(not_before + datetime.timedelta(seconds=rng.uniform(0, span)), self.now)

    def call(self, job, success, ended=None):
        """The worker fields of one finished call (success: answered), ended
        at `ended` or at a past moment in calling hours."""
        rng = self.rng
        ended = ended or self.call_time(job["created_at"] + datetime.timedelta(minutes=5))
        duration = rng.randint(40, 300) if success else rng.randint(0, 35)
        started = ended - datetime.timedelta(seconds=duration)
        if success:
            reason, call_status = rng.choices(*zip(*ANSWERED_REASONS.items(), strict=True))[0], "ended"
        else:
            reason = rng.choices(list(UNANSWERED), UNANSWERED_WEIGHTS)[0]
            call_status = UNANSWERED[reason]
        talked = success and reason != "voicemail_reached"
        promise = self.promise(ended) if talked and rng.random() < PROMISE_SHARE else None
        fields = {
            "started_at": started,
            "call_id": f"call_{uuid.UUID(int=rng.getrandbits(128)).hex[:28]}",
            "call_started_at": started,
            "call_ended_at": ended,
            "call_duration_seconds": duration,
            "is_calling": True,
            "updated_at": ended,
            "call_result": self.call_result(
                job,
                success=success,
                call_status=call_status,
                reason=reason,
                started=started,
                ended=ended,
                duration=duration,
                promise=promise,
            ),
        }
        if promise:
            fields["fecha_pago_cliente"], fields["monto_pago_cliente"] = promise
        if success:
            fields["finished_at"] = ended
        else:
            fields.update(
                last_attempt_result=call_status,
                next_try_at=ended + datetime.timedelta(minutes=60 if call_status == "not_connected" else 30),
                last_error="No quedan teléfonos por intentar",
            )
        return fields

    def promise(self, ended):
        date = (ended + datetime.timedelta(days=self.rng.randint(1, 20))).strftime("%Y-%m-%d")
        # Workers store int() when the amount parses, the text otherwise.
        amount = self.rng.choice([self.rng.randrange(10_000, 500_000, 1000)] * 4 + ["50.000"])
        return date, amount

    def call_result(self, job, *, success, call_status, reason, started, ended, duration, promise):
        rng = self.rng
        cost_cents = round(duration / 60 * 9.5 + 0.5, 2)
        summary = {
            "call_id": f"call_{uuid.UUID(int=rng.getrandbits(128)).hex[:28]}",
            "call_status": call_status,
            "disconnection_reason": reason,
            "duration_ms": Int64(duration * 1000),
            "start_timestamp": Int64(int(started.replace(tzinfo=datetime.UTC).timestamp() * 1000)),
            "end_timestamp": Int64(int(ended.replace(tzinfo=datetime.UTC).timestamp() * 1000)),
            "call_cost": {"combined_cost": cost_cents, "total_duration_seconds": duration},
            "recording_url": f"https://recordings.example/{uuid.UUID(int=rng.getrandbits(128)).hex}.wav",
            "public_log_url": "https://recordings.example/log.txt",
            "transcript": self.transcript(job, promise) if success and reason != "voicemail_reached" else "",
        }
        if success:
            summary["call_analysis"] = {
                "call_summary": (
                    f"El cliente se compromete a pagar {promise[1]} el {promise[0]}."
                    if promise
                    else "El cliente escucha la información de su deuda y no se compromete a pagar."
                ),
                "user_sentiment": rng.choice(["Positive", "Neutral", "Negative"] if not promise else ["Positive"]),
                "call_successful": bool(promise),
                "in_voicemail": reason == "voicemail_reached",
            }
        if promise:
            summary["collected_dynamic_variables"] = {
                "fecha_pago_cliente": promise[0],
                "monto_pago_cliente": str(promise[1]),
            }
        return {
            "success": success,
            "status": call_status,
            "summary": summary,
            "details": {"agent_id": "agent_demo", "from_number": "+56229999999", "call_type": "phone_call"},
            "timestamp": ended,  # a BSON datetime nested in the result, as workers write it
        }

    def transcript(self, job, promise):
        name = (job.get("contact") or {}).get("name", "")
        company = (job.get("payload") or {}).get("company_name", "la empresa")
        lines = [
            f"Agent: Hola, ¿hablo con {name}?",
            "User: Sí, con él.",
            f"Agent: Le llamo de {company} por una deuda pendiente. ¿Tiene un momento?",
            "User: Sí, dígame.",
        ]
        if promise:
            lines += [
                "Agent: ¿Cuándo podría realizar el pago?",
                f"User: Puedo pagar {promise[1]} el {promise[0]}.",
                "Agent: Perfecto, queda registrado su compromiso. Muchas gracias.",
            ]
        else:
            lines += ["Agent: ¿Podría indicarnos una fecha de pago?", "User: Ahora no puedo, llámeme más adelante."]
        return "\n".join(lines) + "\n"
