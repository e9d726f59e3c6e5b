"""Reads of the `batches` collection."""

from batches.models import Batch
from speechai.mongo import collection, find_by_any_id, object_id_or_none


def batch_get(raw_id, projection=None):
    """The stored batch named by either id form (ObjectId first), or None."""
    return find_by_any_id(collection(Batch), raw_id, "batch_id", projection)


def batch_custom_id(raw_id):
    """The custom `batch_id` jobs reference, for a batch named by either form.

    A 24-hex string naming a batch's `_id` resolves to that batch's
    `batch_id`; anything else is taken as the custom id itself (the batch
    may be gone while its jobs remain)."""
    if object_id_or_none(raw_id) is not None:
        document = collection(Batch).find_one({"_id": object_id_or_none(raw_id)}, {"batch_id": 1})
        if document is not None and document.get("batch_id") is not None:
            return document["batch_id"]
    return raw_id
