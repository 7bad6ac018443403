"""Pipelines, by stage: `ingest` (inbox → loaded rows), `warehouse` (database and published
snapshots), `indicators` (SQL, marts, checks), `outputs` (exports, notifications, bulletins),
`ops` (locks, jobs, scheduler, accounts) and `demo`; `run` orchestrates one run and `cli` is
the command line."""
