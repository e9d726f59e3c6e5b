"""Direct access to the shared collections, for exact MongoDB updates.

Services write `jobs` and `batches` with pymongo through Django's connection
(same client, same settings): single conditional updates, `$unset`, matched
counts — what docs/data-model.md asks and the ORM cannot express.
"""

import datetime

from bson import ObjectId
from django.core.exceptions import EmptyResultSet
from django.db import connections
from pymongo import ASCENDING, DESCENDING, InsertOne, UpdateOne
from pymongo.errors import BulkWriteError, ClientBulkWriteException, DuplicateKeyError

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


def find_by_any_id(target, raw_id, custom_id_field, projection=None, *, skip_deleted=False):
    """The document of collection `target` named by either id form, or None;
    with `skip_deleted`, a soft-deleted document counts as absent.

    The filter is the id alone and the deletion is checked here: the
    embedded server plans no index for `{batch_id: ..., deleted_at: null}`
    and spends twice the CPU of the lookup by id (docs/mongodb.md).
    `projection`, if given, is an inclusion projection."""
    if skip_deleted and projection is not None:
        projection = {**projection, "deleted_at": 1}
    for id_filter in id_filters(raw_id, custom_id_field):
        # A find, not find_one: should a custom id repeat (its unique index is
        # only ensured where the data allows it), a live copy is still found.
        for document in target.find(id_filter, projection):
            if not skip_deleted or document.get("deleted_at") is None:
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


def new_document(instance):
    """The document the ORM's `save()` would insert for a new model instance
    (each field's pre_save and get_db_prep_save, a fresh `_id`), without
    compiling a query for it, which costs more CPU than the insert itself."""
    connection = connections["default"]
    meta = instance._meta
    document = {
        field.column: field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in meta.local_concrete_fields
        if field is not meta.auto_field
    }
    document["_id"] = ObjectId()
    return document


def saved(instance, document):
    """`instance`, marked as the stored `document` (inserted)."""
    instance.pk = document["_id"]
    instance._state.adding, instance._state.db = False, connections["default"].alias
    return instance


def insert_instance(instance):
    """Save a new model instance in one insert_one (see new_document)."""
    document = new_document(instance)
    try:
        collection(type(instance)).insert_one(document)
    except DuplicateKeyError as error:
        # The driver retried an insert the server had written before the
        # connection dropped: its own fresh _id is there, so it is written.
        if (error.details or {}).get("keyValue") != {"_id": document["_id"]}:
            raise
    return saved(instance, document)


# Writes to several collections in one command (`bulkWrite`): MongoDB 8.0+
# (wire version 25), and the embedded server.
BULK_WRITE_WIRE_VERSION = 25
IMMUTABLE_FIELD = 66  # the error of a write that would change a document's `_id`
# A field no document has. A filter asking it to be null matches the same
# documents as without it, and an upsert of that filter writes it (null):
# that is how an update pipeline tells the document it would insert.
NEVER_STORED = "_speechai_upsert_marker"
NOT_AN_ID = "no such document"


class WriteStopped(Exception):
    """An ordered write stopped at `index`: that operation and those after
    it changed nothing; `not_matched` when it was an update_one_or_fail
    that matched no document."""

    def __init__(self, index, code, message):
        self.index, self.code = index, code
        self.not_matched = code == IMMUTABLE_FIELD
        super().__init__(f"write {index} failed ({code}): {message}")


def update_one_or_fail(target, query, update):
    """A write of `target` for write_in_order that updates the one document
    `query` (which names its `_id`) matches, or fails (WriteStopped
    `not_matched`), writing nothing, when none does: so that the writes after
    it happen only if it matched, in the same command. It is an upsert whose
    insert would change the `_id` the filter names, which the server refuses
    before writing anything; an update pipeline tells its insert by the
    NEVER_STORED field the filter seeds."""
    if "_id" not in query:
        raise ValueError("update_one_or_fail needs the document's _id in its filter")
    if isinstance(update, list):
        query = {**query, NEVER_STORED: None}
        upserted = {"$eq": [{"$type": f"${NEVER_STORED}"}, "null"]}
        update = [*update, {"$set": {"_id": {"$cond": [upserted, NOT_AN_ID, "$_id"]}}}]
    else:
        update = {**update, "$setOnInsert": {"_id": NOT_AN_ID}}
    return target, UpdateOne(query, update, upsert=True, namespace=target.full_name)


def update_one_of(target, query, update):
    """An update_one of `target` for write_in_order."""
    return target, UpdateOne(query, update, namespace=target.full_name)


def insert_one_of(target, document):
    """An insert_one into `target` for write_in_order."""
    return target, InsertOne(document, namespace=target.full_name)


def write_in_order(writes):
    """Apply `writes` ((collection, operation) pairs made by update_one_of,
    update_one_or_fail, insert_one_of) in order, stopping at the first that
    fails (WriteStopped): one round trip where the server runs `bulkWrite`,
    else one per write (MongoDB before 8.0)."""
    if not writes:
        return
    client = writes[0][0].database.client
    if _runs_bulk_write(client):
        try:
            client.bulk_write([operation for _, operation in writes], ordered=True)
        except ClientBulkWriteException as error:
            if not error.write_errors:
                raise
            first = error.write_errors[0]
            raise WriteStopped(first["idx"], first.get("code"), first.get("errmsg")) from error
        return
    for index, (target, operation) in enumerate(writes):
        try:
            target.bulk_write([operation])
        except BulkWriteError as error:
            first = error.details["writeErrors"][0]
            raise WriteStopped(index, first.get("code"), first.get("errmsg")) from error


def _runs_bulk_write(client):
    """Whether every writable server of `client` runs `bulkWrite` (known once
    the client has reached one; until then, no)."""
    known = getattr(client, "_speechai_runs_bulk_write", None)
    if known is None:
        servers = client.topology_description.server_descriptions().values()
        writable = [server for server in servers if server.is_writable]
        if not writable:
            return False
        known = all(server.max_wire_version >= BULK_WRITE_WIRE_VERSION for server in writable)
        client._speechai_runs_bulk_write = known
    return known
