-- The pipeline's working database: runs, files, quarantine and state. The loaded tables
-- (cases, services, institutions, staff) are created from the data contract
-- (schemas/contract.py, see pipelines/warehouse/db.py: loaded_columns); they hold no raw
-- identity: persons appear only as person_key (keyed hash), id_masked (first 6 + last 4) and
-- name_masked.

-- One row per pipeline run.
create table if not exists runs (
    run_id integer not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,          -- running, completed, failed, interrupted
    trigger varchar,                  -- cli, schedule, upload, targets, reapply, marts
    files_seen integer default 0,
    files_loaded integer default 0,
    files_skipped integer default 0,
    files_refused integer default 0,
    rows_read bigint default 0,
    rows_loaded bigint default 0,
    rows_rejected bigint default 0,
    rows_warned bigint default 0,
    published_snapshot varchar,
    seconds_publish double,
    error varchar
);
-- Added later: rows a file took back from a newer file (see ingest.newer), files re-applied.
alter table runs add column if not exists rows_replaced_newer bigint default 0;
alter table runs add column if not exists files_reapplied integer default 0;

-- One row per file per run, with the time each step took.
create table if not exists run_files (
    run_id integer not null,
    file varchar not null,
    file_hash varchar not null,
    dataset varchar,
    sheet varchar,
    status varchar not null,          -- loaded, skipped, refused
    rows_read bigint default 0,
    rows_loaded bigint default 0,
    rows_rejected bigint default 0,
    rows_warned bigint default 0,
    unknown_columns varchar[],
    seconds_read double,
    seconds_normalise double,
    seconds_validate double,
    seconds_protect double,
    seconds_load double,
    message_zh varchar,
    message_en varchar
);
-- Added after the first release: values carried from merged cells into the rows they span.
alter table run_files add column if not exists merged_values integer default 0;
-- Added later: loaded again at an administrator's request although already loaded.
alter table run_files add column if not exists reapplied boolean default false;

-- Rows a loaded file replaced that a newer file had written (reason loaded_later or
-- name_order), and rows a re-applied file replaced (reason reapplied): per file that last
-- wrote them, so the report says how many and from which file.
create table if not exists run_replaced (
    run_id integer not null,
    file varchar not null,
    dataset varchar not null,
    newer_file varchar not null,      -- the file that had last written the rows
    newer_run integer,                -- the run that loaded it
    reason varchar not null,          -- loaded_later, name_order, reapplied
    "rows" bigint not null,
    message_zh varchar not null,
    message_en varchar not null
);

-- Content hashes of files whose rows are in; an identical re-send is skipped.
create table if not exists loaded_files (
    file_hash varchar not null,
    file varchar not null,
    dataset varchar not null,
    run_id integer not null,
    loaded_at timestamp not null
);

-- Rejected rows (and warnings) with masked values; never raw identities.
create table if not exists quarantine (
    run_id integer not null,
    file varchar not null,
    file_hash varchar,
    dataset varchar,
    sheet varchar,
    "row" bigint,
    "column" varchar,
    field varchar,
    value varchar,
    reason_code varchar not null,
    severity varchar not null,        -- rejected, warning, refused
    message_zh varchar not null,
    message_en varchar not null
);

-- Small facts about the warehouse state (e.g. whether it changed since the last publish).
create table if not exists state (
    name varchar not null,
    value varchar
);

-- Progress notifications (§5) with their lifecycle: a condition is raised once while it holds
-- (status open), and resolved when it no longer holds.
create table if not exists notifications (
    key varchar not null,
    rule varchar not null,
    programme varchar,
    district_code varchar,
    subject varchar,
    status varchar not null,          -- open, resolved
    first_seen_run integer not null,
    first_seen_at timestamp not null,
    last_seen_run integer not null,
    resolved_run integer,
    resolved_at timestamp,
    value double,
    target double,
    expected double,
    gap double,
    persons_needed bigint,
    unit varchar,
    count bigint,
    message_zh varchar,
    message_en varchar,
    link varchar,
    year integer                      -- the year of the as-of date the condition held on
);
alter table notifications add column if not exists year integer;
