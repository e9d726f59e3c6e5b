"""Direct access to the shared collections, for exact MongoDB updates.

Services write `jobs` and `batches` with pymongo through Django's connection
(same client, same settings): single conditional updates, `$unset`, matched
counts — what data-model.md asks and the ORM cannot express.
"""

import datetime

from bson import ObjectId
from django.db import connections
from pymongo import DESCENDING

# List order of the API: newest first; `_id` breaks ties so that pages are stable.
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


def collection(model):
    return connections["default"].get_collection(model._meta.db_table)


def object_id_or_none(value):
    """The ObjectId a 24-hex string names, or None for any other string."""
    if isinstance(value, str) and len(value) == 24 and ObjectId.is_valid(value):
        return ObjectId(value)
    return None


def id_filters(raw_id, custom_id_field):
    """Filters that find a document by either id form, in the order the
    contract tries them: a 24-hex string as `_id` first, then as custom id."""
    filters = []
    oid = object_id_or_none(raw_id)
    if oid is not None:
        filters.append({"_id": oid})
    filters.append({custom_id_field: raw_id})
    return filters


def any_id_filter(raw_ids, custom_id_field):
    """One filter that matches documents named by any of `raw_ids` (either form)."""
    oids = [oid for oid in map(object_id_or_none, raw_ids) if oid is not None]
    clauses = [{custom_id_field: {"$in": list(raw_ids)}}]
    if oids:
        clauses.insert(0, {"_id": {"$in": oids}})
    return {"$or": clauses} if len(clauses) > 1 else clauses[0]


def utc_now():
    """Now in UTC, naive and cut to milliseconds: exactly what BSON stores, so
    a value written can be matched again."""
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def find_by_any_id(target, raw_id, custom_id_field, projection=None, scope=None):
    """The document of collection `target` named by either id form (and
    matching the extra filter `scope`, if given), or None."""
    for id_filter in id_filters(raw_id, custom_id_field):
        document = target.find_one({**id_filter, **(scope or {})}, projection)
        if document is not None:
            return document
    return None
