from speechai.indexes import ASC, DESC, IndexSpec, unique_string_field

# docs/data-model.md, "Indexes".
BATCH_INDEXES = [
    *unique_string_field("batch_id"),
    IndexSpec("account_created", (("account_id", ASC), ("created_at", DESC))),
    IndexSpec("is_active", (("is_active", ASC),)),
]
