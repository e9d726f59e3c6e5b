"""Direct access to the shared collections, for exact MongoDB updates.

Services write `jobs` and `batches` with pymongo through Django's connection
(same client, same settings): single conditional updates, `$unset`, matched
counts — what docs/data-model.md asks and the ORM cannot express.
"""

import datetime

from bson import ObjectId
from django.core.exceptions import EmptyResultSet
from django.db import connections
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

# List order of the API: newest first; `_id` breaks ties so that pages are stable.
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


def collection(model):
    """The pymongo collection of `model`, made once per connection (each
    made costs about as much CPU as the rest of a small operation)."""
    connection = connections["default"]
    name = model._meta.db_table
    if connection.queries_logged:  # DEBUG or a test capturing queries: the backend's recording wrapper
        return connection.get_collection(name)
    made = connection.__dict__.setdefault("made_collections", {})
    found = made.get(name)
    if found is None or found.database is not connection.database:
        found = made[name] = connection.get_collection(name)
    return found


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


def any_id_filters(raw_ids, custom_id_field):
    """Filters that together match the documents named by any of `raw_ids`
    (either form), each served by one index and disjoint: `_id $in` of the
    24-hex ones, then the custom id `$in` of all of them, minus those `_id`s.
    An `$or` of the two `$in`s is a collection scan on the embedded server
    (10 s for 100 ids among 20,000 jobs; each `$in` alone: 2-20 ms)."""
    oids = [oid for oid in map(object_id_or_none, raw_ids) if oid is not None]
    if not oids:
        return [{custom_id_field: {"$in": list(raw_ids)}}]
    return [{"_id": {"$in": oids}}, {custom_id_field: {"$in": list(raw_ids)}, "_id": {"$nin": oids}}]


def find_by_any_ids(target, raw_ids, custom_id_field, projection=None):
    """The documents named by any of `raw_ids` (either form): one find by
    `_id` of the 24-hex ones, then, only for the ids not found so, one by
    the custom id (so one round trip when all are of one form)."""
    oids = [oid for oid in map(object_id_or_none, raw_ids) if oid is not None]
    found = list(target.find({"_id": {"$in": oids}}, projection)) if oids else []
    named = {str(document["_id"]) for document in found}
    if rest := [raw_id for raw_id in raw_ids if raw_id not in named]:
        found += target.find({custom_id_field: {"$in": rest}}, projection)
    return found


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


def queryset_filter(queryset):
    """The MongoDB filter that selects the documents of `queryset`, built the
    way the backend builds it for `QuerySet.update()`; None when the queryset
    can match nothing. Lets a service run one conditional pymongo update on
    whatever an ORM queryset (e.g. an admin changelist) selects."""
    compiler = queryset.query.get_compiler(queryset.db)
    compiler.pre_sql_setup()
    try:
        query = compiler.build_query()
    except EmptyResultSet:
        return None
    if query.lookup_pipeline or query.subqueries:
        raise ValueError("The queryset filters across collections; filter on local fields only.")
    return flat_and(query.match_mql)


def flat_and(query):
    """{"$and": [{a: 1}, {b: 2}]} -> {a: 1, b: 2} when no key repeats: the
    same filter, in the shape every query planner matches to a compound index."""
    clauses = query.get("$and") if list(query) == ["$and"] else None
    if not clauses or not all(isinstance(clause, dict) for clause in clauses):
        return query
    keys = [key for clause in clauses for key in clause]
    return {k: v for clause in clauses for k, v in clause.items()} if len(keys) == len(set(keys)) else query


def queryset_sort(queryset):
    """A queryset's order_by (local field names) as a pymongo sort."""
    opts = queryset.model._meta
    sort = []
    for name in queryset.query.order_by:
        field = opts.pk if name.lstrip("-") == "pk" else opts.get_field(name.lstrip("-"))
        sort.append((field.column, DESCENDING if name.startswith("-") else ASCENDING))
    return sort


def instances_from_documents(model, documents):
    """Model instances from raw documents, each value converted as the ORM
    converts it on load (missing fields load as None)."""
    connection = connections["default"]
    columns = [field.get_col(model._meta.db_table) for field in model._meta.concrete_fields]
    converters = [connection.ops.get_db_converters(col) + col.get_db_converters(connection) for col in columns]
    attnames = [col.target.attname for col in columns]
    instances = []
    for document in documents:
        values = []
        for col, field_converters in zip(columns, converters, strict=True):
            value = document.get(col.target.column)
            for converter in field_converters:
                value = converter(value, col, connection)
            values.append(value)
        instances.append(model.from_db(connection.alias, attnames, values))
    return instances


def insert_instance(instance):
    """Save a new model instance in one insert_one: the document the ORM's
    `save()` writes (each field's pre_save and get_db_prep_save) without
    compiling a query for it, which cost more CPU than the insert itself."""
    connection = connections["default"]
    meta = instance._meta
    document = {
        field.column: field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in meta.local_concrete_fields
        if field is not meta.auto_field
    }
    document["_id"] = ObjectId()
    try:
        collection(type(instance)).insert_one(document)
    except DuplicateKeyError as error:
        # The driver retried an insert the server had written before the
        # connection dropped: its own fresh _id is there, so it is written.
        if (error.details or {}).get("keyValue") != {"_id": document["_id"]}:
            raise
    instance.pk = document["_id"]
    instance._state.adding, instance._state.db = False, connection.alias
    return instance
