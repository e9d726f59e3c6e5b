from speechai.indexes import ASC, DESC, IndexSpec, unique_string_field

# docs/data-model.md, "Indexes".
JOB_INDEXES = [
    *unique_string_field("job_id"),
    IndexSpec("batch_status", (("batch_id", ASC), ("status", ASC))),
    IndexSpec("status_created", (("status", ASC), ("created_at", DESC))),
    IndexSpec("account_created", (("account_id", ASC), ("created_at", DESC))),
    IndexSpec("created_id", (("created_at", DESC), ("_id", DESC))),
    IndexSpec("status_reserved_until", (("status", ASC), ("reserved_until", ASC))),
    # Intake: re-importing a file adds nothing twice; duplicates found per chunk of national ids.
    *unique_string_field("deduplication_key"),
    IndexSpec("account_dni_status", (("account_id", ASC), ("contact.dni", ASC), ("status", ASC))),
    # Admin search (jobs/admin.py job_search): each clause of its $or indexed.
    IndexSpec("to_number", (("to_number", ASC),)),
    IndexSpec("contact_dni", (("contact.dni", ASC),)),
    IndexSpec("contact_name", (("contact.name", ASC),)),
    # The dashboard (batches/dashboard.py): the calls ended in a time window, and
    # the called jobs of one campaign.
    IndexSpec("call_ended_at", (("call_ended_at", ASC),)),
    IndexSpec("batch_call_ended", (("batch_id", ASC), ("call_ended_at", ASC))),
]
