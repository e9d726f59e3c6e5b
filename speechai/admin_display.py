"""Display helpers for admin pages over documents other programs write: any
stored value renders, whatever its type."""

import json

from django.utils.html import format_html

from speechai.bson_json import to_json


def first_text(*values):
    """The first value that is a non-empty string, else the first that is set
    shown as text: a worker may store an int (or a list) where a string
    belongs, and `__str__` or a list column must still return a string."""
    for value in values:
        if isinstance(value, str) and value:
            return value
    for value in values:
        if value is not None and value != "":
            return str(value)
    return ""


def nested(value, *keys):
    """value[k1][k2]... or None when any level is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def badge(label, colour):
    return format_html(
        '<span class="badge" style="background:{};color:#fff;padding:2px 8px;border-radius:10px;'
        'font-size:11px;font-weight:600;white-space:nowrap">{}</span>',
        colour,
        label,
    )


def pretty(value, empty="-"):
    """A stored (possibly nested BSON) value as indented JSON."""
    if value is None or value == {}:
        return empty
    return format_html(
        '<pre style="margin:0;white-space:pre-wrap">{}</pre>',
        json.dumps(to_json(value), indent=2, ensure_ascii=False),
    )
