-- The §5 conditions that hold on a day, one row per condition with a stable key; notify.py
-- keeps the feed's lifecycle (new, still open, resolved) for the data's as-of date, and a
-- bulletin lists them as of its period's end. Parameters: $as_of, $stale_days, $reject_share,
-- $run_id. Reads the monthly marts (every month end and the as-of date), the loaded tables (only
-- what happened by $as_of), the run's file records and the temp table follow_up
-- (follow_up.sql, created first for the same day).
with
meta as (
    select
        cast($as_of as date) as as_of,
        cast(extract(year from cast($as_of as date)) as integer) as year
),
progress as (
    -- districts lagging or behind, and districts that meet their target
    select
        case v.status when 'met' then 'target_met' else 'progress_' || v.status end as rule,
        v.programme,
        v.district_code,
        v.indicator as subject,
        v.value,
        v.target,
        v.expected,
        v.gap,
        v.persons_needed,
        v.unit,
        cast(null as bigint) as count
    from indicator_monthly v
    join meta m on v.year = m.year and v.as_of = m.as_of
    where v.unit_level = 'district' and v.status in ('lagging', 'behind', 'met')
),
follow_ups as (
    -- the persons of follow_up.sql (review overdue, referral waiting), counted per district
    select
        rule,
        programme,
        district_code,
        case rule when 'review_overdue' then 'review' else 'referral' end as subject,
        count(*) as count
    from follow_up
    group by all
),
quarters as (
    select
        q as quarter,
        make_date(m.year, 3 * q - 2, 1) as q_start,
        make_date(m.year, 3 * q - 2, 1) + interval '3' month - interval '1' day as q_end
    from meta m
    cross join (select unnest([1, 2, 3, 4]) as q)
),
settlements as (
    -- institutions with services in a finished quarter and no settlement dated in it
    select
        'settlement_missing' as rule,
        c.programme,
        i.district_code,
        i.institution_id || '/Q' || cast(q.quarter as varchar) as subject,
        count(distinct s.service_id) as count
    from quarters q
    cross join meta m
    join services s on s.start_date <= q.q_end and (s.end_date is null or s.end_date >= q.q_start)
    join cases c on c.case_id = s.case_id
    join institutions i on i.institution_id = s.institution_id
    join ref_programmes rp on rp.code = c.programme
    where q.q_end < m.as_of
        and rp.quarterly_settlement
        -- silent unless the districts report settlements at all: without a settlement date
        -- in any file of the programme, a missing settlement is not news
        and exists (
            select 1 from services s2 join cases c2 on c2.case_id = s2.case_id
            where c2.programme = c.programme and s2.settled_date is not null
        )
    group by c.programme, i.district_code, i.institution_id, q.quarter, q.q_start, q.q_end
    having count(case when s.settled_date between q.q_start and q.q_end then 1 end) = 0
),
stale as (
    -- districts that sent no new records for the configured number of days
    select
        'stale_data' as rule,
        cast(null as varchar) as programme,
        u.code as district_code,
        'records' as subject,
        cast(coalesce(m.as_of - max(greatest(c.registration_date, coalesce(s.start_date, c.registration_date))), 9999) as bigint) as count
    from ref_units u
    cross join meta m
    left join cases c on c.district_code = u.code and c.registration_date <= m.as_of
    left join services s on s.case_id = c.case_id and s.start_date <= m.as_of
    where m.as_of is not null
    group by u.code, m.as_of
    having coalesce(m.as_of - max(greatest(c.registration_date, coalesce(s.start_date, c.registration_date))), 9999) > $stale_days
),
rejects as (
    select
        'file_rejects' as rule,
        cast(null as varchar) as programme,
        cast(null as varchar) as district_code,
        f.file as subject,
        f.rows_rejected as count,
        cast(f.rows_rejected as double) / f.rows_read as value
    from run_files f
    where f.run_id = $run_id and f.rows_read > 0
        and cast(f.rows_rejected as double) / f.rows_read > $reject_share
),
counted as (
    select rule, programme, district_code, subject, count from follow_ups
    union all select rule, programme, district_code, subject, count from settlements
    union all select rule, programme, district_code, subject, count from stale
)
select
    rule || '|' || coalesce(programme, '*') || '|' || coalesce(district_code, '*') || '|' || subject
        || '|' || cast((select year from meta) as varchar) as key,
    rule, programme, district_code, subject,
    value, target, expected, gap, persons_needed, unit, count, (select year from meta) as year
from progress
union all
select
    rule || '|' || coalesce(programme, '*') || '|' || coalesce(district_code, '*') || '|' || subject
        || '|' || cast((select year from meta) as varchar),
    rule, programme, district_code, subject,
    cast(null as double), cast(null as double), cast(null as double), cast(null as double),
    cast(null as bigint), cast(null as varchar), count, (select year from meta)
from counted
union all
select
    rule || '|*|*|' || subject || '|' || cast($run_id as varchar),
    rule, programme, district_code, subject,
    value, cast(null as double), cast(null as double), cast(null as double),
    cast(null as bigint), 'ratio', count, (select year from meta)
from rejects
