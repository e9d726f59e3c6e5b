"""What a job document says about its contact and its last call, read the way
the workers write it (`call_result.summary` from Retell, the payment promise
at the root, legacy flat fields on old documents) and tolerant of any other
shape: every reader returns None rather than raise. The call review, the
exports and the dashboard's wording all read jobs through here."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from bson import Decimal128

from jobs.models import JobStatus
from speechai.admin_display import nested

# Retell's `disconnection_reason` values, in words.
DISCONNECTION_REASONS = {
    "user_hangup": "The customer hung up",
    "agent_hangup": "The agent ended the call",
    "call_transfer": "Transferred",
    "voicemail_reached": "Voicemail reached",
    "inactivity": "Silence: nobody spoke",
    "max_duration_reached": "Maximum call duration reached",
    "machine_detected": "Answering machine detected",
    "concurrency_limit_reached": "Too many calls at once",
    "no_valid_payment": "No valid payment method (telephony)",
    "scam_detected": "Flagged as scam",
    "dial_busy": "Line busy",
    "dial_failed": "The call could not be placed",
    "dial_no_answer": "No answer",
    "invalid_destination": "Invalid phone number",
    "telephony_provider_permission_denied": "Refused by the telephony provider",
    "telephony_provider_unavailable": "Telephony provider unavailable",
    "sip_routing_error": "Telephony routing error",
    "marked_as_spam": "Marked as spam",
    "user_declined": "The customer declined the call",
}
# What a job without a call result is doing, by status.
NO_CALL_OUTCOME = {
    JobStatus.PENDING: "Not called yet",
    JobStatus.SCHEDULED: "Waiting for its scheduled time",
    JobStatus.IN_PROGRESS: "Being called now",
    JobStatus.SUSPENDED: "Suspended before a call",
    JobStatus.CANCELLED: "Cancelled before a call",
}


def text(value):
    """A stored scalar as display text; None for missing, empty or structured values."""
    if value is None or isinstance(value, dict | list):
        return None
    value = str(value).strip()
    return value or None


def number(value):
    """A stored number (int, Int64, double, Decimal128) as a float; None for
    anything else, booleans, NaN and infinities included."""
    if isinstance(value, Decimal128):
        value = value.to_decimal()
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def words(code, known=DISCONNECTION_REASONS):
    """A worker's snake_case code in words (unknown codes: underscores to spaces)."""
    code = text(code)
    if code is None:
        return None
    return known.get(code) or code.replace("_", " ").capitalize()


def call_summary(document):
    """`call_result.summary` when it is an object, else {}."""
    summary = nested(document, "call_result", "summary")
    return summary if isinstance(summary, dict) else {}


def contact_name(document):
    return text(nested(document, "contact", "name")) or text(document.get("nombre"))


def contact_dni(document):
    return text(nested(document, "contact", "dni")) or text(document.get("rut_fmt")) or text(document.get("rut"))


def phone(document):
    if text(document.get("to_number")):
        return text(document["to_number"])
    phones = nested(document, "contact", "phones")
    return text(phones[0]) if isinstance(phones, list) and phones else None


@dataclass(frozen=True)
class LastCall:
    """The last call of a job, as far as its document tells."""

    called: bool
    success: bool | None
    outcome: str
    call_status: str | None
    disconnection_reason: str | None
    ended_at: datetime.datetime | None
    duration_seconds: float | None
    cost_usd: float | None
    sentiment: str | None
    summary: str | None
    transcript: object
    recording_url: str | None
    promise_date: str | None
    promise_amount: object

    @property
    def outcome_detail(self):
        """Why the call ended, in words (Retell's status when no reason was given)."""
        return words(self.disconnection_reason) or words(self.call_status, {})


def last_call(document):
    call_result = document.get("call_result")
    summary = call_summary(document)
    analysis = summary.get("call_analysis") if isinstance(summary.get("call_analysis"), dict) else {}
    success = call_result.get("success") if isinstance(call_result, dict) else None
    success = success if isinstance(success, bool) else None
    call_status = text(summary.get("call_status")) or text(nested(document, "call_result", "status"))
    reason = text(summary.get("disconnection_reason"))
    return LastCall(
        called=bool(call_result) or isinstance(document.get("call_ended_at"), datetime.datetime),
        success=success,
        outcome=outcome_in_words(document, success, call_status, reason),
        call_status=call_status,
        disconnection_reason=reason,
        ended_at=_datetime(document.get("call_ended_at")) or _datetime(nested(document, "call_result", "timestamp")),
        duration_seconds=duration_seconds(document),
        cost_usd=cost_usd(document),
        sentiment=text(analysis.get("user_sentiment")),
        summary=text(analysis.get("call_summary")),
        transcript=summary.get("transcript"),
        recording_url=text(summary.get("recording_url")),
        promise_date=text(document.get("fecha_pago_cliente")),
        promise_amount=promise_amount(document),
    )


def outcome_in_words(document, success, call_status, reason):
    """ "Call completed", "Call failed", or where a job without a call stands."""
    if success is True:
        return "Call completed"
    if success is False:
        return "Call failed"
    if call_status or reason:
        return "Call ended"
    status = document.get("status")
    return NO_CALL_OUTCOME.get(status, "No call result") if isinstance(status, str) else "No call result"


def duration_seconds(document):
    seconds = number(document.get("call_duration_seconds"))
    if seconds is None and (ms := number(call_summary(document).get("duration_ms"))) is not None:
        seconds = ms / 1000
    return seconds if seconds is None or seconds >= 0 else None


def cost_usd(document):
    """Retell's `call_cost.combined_cost` is in cents (`total_cost` on older payloads)."""
    call_cost = call_summary(document).get("call_cost")
    if not isinstance(call_cost, dict):
        return None
    cents = number(call_cost.get("combined_cost"))
    if cents is None:
        cents = number(call_cost.get("total_cost"))
    return round(cents / 100, 4) if cents is not None else None


def promise_amount(document):
    """The promised amount: a number when the worker stored one, else its text ("50.000")."""
    value = document.get("monto_pago_cliente")
    amount = number(value)
    if amount is not None:
        return int(amount) if amount.is_integer() else amount
    return text(value)


def _datetime(value):
    return value if isinstance(value, datetime.datetime) else None
