from speechai.indexes import ASC, DESC, IndexSpec, unique_string_field

# docs/accounts.md, "Indexes".
ACCOUNT_INDEXES = [
    *unique_string_field("account_id"),
    IndexSpec("status_created", (("status", ASC), ("created_at", DESC))),
]
TRANSACTION_INDEXES = [
    *unique_string_field("transaction_id"),
    IndexSpec("account_created", (("account_id", ASC), ("created_at", DESC))),
]
