"""Campaign intake: a customer's contact file (xlsx, xls, ods, csv) becomes a
batch of worker-ready jobs (docs/intake.md).

One module per step: `reading` (bytes -> rows), `columns` (the header),
`normalising` (ids, phones, amounts, dates), `planning` (rows -> jobs,
errors, duplicates), `writing` (the batch and its jobs, released only when
all are in), `account` (the account's country, status and balance) and
`services` (the entry points the API, the admin and the command share)."""
