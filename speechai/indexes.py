"""Idempotent index creation on collections other programs also write.

`manage.py migrate` calls ensure_indexes() for `jobs`, `batches` and the
other collections it names on every run (post_migrate). An index that already exists with the same keys — ours,
or one a worker created under another name — is left alone; a conflict or
data that breaks a unique index is reported, never fatal.
"""

import logging
import sys
from dataclasses import dataclass, field

from django.db import connections
from django.db.models.signals import post_migrate
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError, OperationFailure

logger = logging.getLogger(__name__)

ASC, DESC = ASCENDING, DESCENDING


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple
    options: dict = field(default_factory=dict)

    @property
    def partial(self):
        return "partialFilterExpression" in self.options


def unique_string_field(field_name):
    """A unique index on a custom id, partial so that old documents without
    the field don't collide, plus a plain one the planner uses for lookups."""
    return [
        IndexSpec(
            f"{field_name}_unique",
            ((field_name, ASC),),
            {"unique": True, "partialFilterExpression": {field_name: {"$type": "string"}}},
        ),
        IndexSpec(f"{field_name}_lookup", ((field_name, ASC),)),
    ]


# DRF's unique index on the token key is partial (a string key), which the
# embedded server's planner does not use for `{key: ...}`: every request
# not served from the token cache would walk the tokens.
TOKEN_INDEXES = [IndexSpec("key_lookup", (("key", ASC),))]


def _same_index(spec, info):
    return (
        tuple((k, int(v)) for k, v in info["key"]) == spec.keys and ("partialFilterExpression" in info) == spec.partial
    )


def ensure_indexes(collection, specs):
    """Create the missing indexes of `specs`; returns {name: outcome}."""
    existing = collection.index_information()
    outcomes = {}
    for spec in specs:
        if any(_same_index(spec, info) for info in existing.values()):
            outcomes[spec.name] = "exists"
            continue
        try:
            collection.create_index(list(spec.keys), name=spec.name, **spec.options)
            outcomes[spec.name] = "created"
        except DuplicateKeyError as exc:
            outcomes[spec.name] = (
                f"skipped: duplicate values ({exc.details.get('errmsg', exc) if exc.details else exc})"
            )
        except OperationFailure as exc:
            outcomes[spec.name] = f"skipped: {exc.details.get('errmsg') if exc.details else exc}"
        if outcomes[spec.name].startswith("skipped"):
            logger.warning("Index %s.%s %s", collection.name, spec.name, outcomes[spec.name])
    return outcomes


def ensure_indexes_on_migrate(app_config, model_name, specs):
    """Have every `manage.py migrate` ensure the indexes of one model's collection."""

    def model_collection():
        from speechai.mongo import collection

        return collection(app_config.get_model(model_name))

    _ensure_on_migrate(app_config, model_collection, specs)


def ensure_raw_indexes_on_migrate(app_config, collection_name, specs):
    """The same for a collection without a model."""
    _ensure_on_migrate(app_config, lambda: connections["default"].database[collection_name], specs)


def _ensure_on_migrate(app_config, target_collection, specs):
    def ensure(sender, verbosity=1, stdout=None, **kwargs):
        target = target_collection()
        outcomes = ensure_indexes(target, specs)
        created = [name for name, outcome in outcomes.items() if outcome == "created"]
        if created and verbosity >= 1:
            (stdout or sys.stdout).write(f"  Created indexes on {target.name}: {', '.join(created)}\n")

    post_migrate.connect(ensure, sender=app_config, weak=False)
