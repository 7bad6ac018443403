-- Persons who need following up, one row per case, as of the day $as_of (the data's as-of
-- date, or a bulletin period's end). One definition for the notifications (which count them
-- per district) and for the masked lists district users may open (§8).
--   review_overdue:   complete application waiting for review longer than the working days
--                     review_timeliness measures (ref_indicators.working_days)
--   referral_waiting: referred more than 3 months ago, no service since, not exited
create or replace temp table follow_up as
with meta as (
    select
        cast($as_of as date) as as_of,
        (select working_days from ref_indicators where code = 'review_timeliness') as limit_days
)
select
    'review_overdue' as rule,
    c.programme,
    c.district_code,
    c.township,
    c.case_id,
    c.name_masked,
    c.id_masked,
    c.application_date as since,
    wm.workday_seq - wa.workday_seq as waiting,
    'working_days' as waiting_unit
from cases c
cross join meta m
join ref_workdays wa on wa.day = c.application_date
join ref_workdays wm on wm.day = m.as_of
where c.application_date <= m.as_of
    and (c.review_date is null or c.review_date > m.as_of)
    and wm.workday_seq - wa.workday_seq > m.limit_days
union all
select
    'referral_waiting' as rule,
    c.programme,
    c.district_code,
    c.township,
    c.case_id,
    c.name_masked,
    c.id_masked,
    c.referral_date as since,
    m.as_of - c.referral_date as waiting,
    'days' as waiting_unit
from cases c
cross join meta m
where c.referral_date is not null
    and c.referral_date <= m.as_of - interval '3' month
    and (c.exit_date is null or c.exit_date > m.as_of)
    and not exists (
        select 1 from services s
        where s.case_id = c.case_id and s.start_date >= c.referral_date and s.start_date <= m.as_of
    );
