"""The job page's call review: the last call in words (outcome, duration,
cost, sentiment, summary, payment promise), the transcript as turns, the
recording playable in place and the raw `call_result` folded away. Any
document shape renders (no call yet, failed calls, legacy flat jobs, a
`call_result` that is a list or a string)."""

import re
from urllib.parse import urlsplit

from django.template.loader import render_to_string

from jobs.call_facts import last_call, text
from speechai.admin_display import pretty

# "Agent: ..." / "User: ..." lines, as Retell writes `transcript` (workers
# copy it as is); Spanish labels too.
SPEAKERS = {
    "agent": "agent",
    "agente": "agent",
    "bot": "agent",
    "user": "customer",
    "usuario": "customer",
    "cliente": "customer",
    "customer": "customer",
}
TURN_START = re.compile(r"^\s*(?P<speaker>[A-Za-zÁÉÍÓÚáéíóú]+)\s*:\s?(?P<text>.*)$")


def transcript_turns(transcript):
    """[(speaker, text)] with speaker "agent", "customer" or None (a line
    that names no known speaker continues the turn before it). Retell's
    `transcript_object` shape ([{role, content}]) is read too."""
    if isinstance(transcript, list):
        return [
            (SPEAKERS.get(str(item.get("role", "")).lower()), text(item.get("content")) or "")
            for item in transcript
            if isinstance(item, dict)
        ]
    transcript = text(transcript)
    if transcript is None:
        return []
    turns = []
    for line in transcript.splitlines():
        match = TURN_START.match(line)
        speaker = SPEAKERS.get(match["speaker"].lower()) if match else None
        if speaker:
            turns.append([speaker, match["text"].strip()])
        elif line.strip():
            if turns:
                turns[-1][1] = f"{turns[-1][1]}\n{line.strip()}".strip()
            else:
                turns.append([None, line.strip()])
    return [tuple(turn) for turn in turns]


def playable_url(url):
    """Only http(s) URLs go into the audio player (never javascript: or data:)."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def call_review(document):
    """The review's HTML for one stored job document."""
    call = last_call(document)
    call_result = document.get("call_result")
    return render_to_string(
        "admin/jobs/job/call_review.html",
        {
            "call": call,
            "turns": transcript_turns(call.transcript),
            "recording_url": playable_url(call.recording_url),
            "unplayable_recording": call.recording_url if not playable_url(call.recording_url) else None,
            "raw_call_result": pretty(call_result) if call_result not in (None, {}) else None,
        },
    )


def stored_fields(job):
    """A loaded Job as the document the readers of jobs/call_facts.py expect."""
    return {field.column: field.value_from_object(job) for field in job._meta.concrete_fields}
