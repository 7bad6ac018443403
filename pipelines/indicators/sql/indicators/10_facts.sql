-- Indicator facts (§4): one row per person, application, institution-district or staff row
-- that counts towards an indicator, for every period in the table `periods(year, as_of)` and
-- the baseline period (Dec 31 of the year before) each period's status is measured from.
-- Each step is a select named by its `-- name:` line; the runner (compute.py, through the
-- engine) materialises it as a temporary table of that name, in file order.
-- Portable SQL (STYLE.md rule 15): the same file runs on DuckDB and on Apache Spark, so dates
-- go through date_diff and intervals, and there is no DDL and no engine-only syntax here
-- (tests/indicators/test_sql_dialect.py checks it).

-- name: ind_periods
with
requested as (
    select distinct year, as_of from periods
),
baselines as (
    select year - 1 as year, make_date(year - 1, 12, 31) as as_of from requested
),
all_periods as (
    select year, as_of from requested
    union
    select year, as_of from baselines
)
select
    year,
    as_of,
    make_date(year, 1, 1) as y_start,
    least(as_of, make_date(year, 12, 31)) as y_cut
from all_periods;

-- The current case: of a person's cases in a programme registered on or before the as-of
-- date, the one registered last (ties: greatest case_id). It gives district and township.
-- Each case is current from its registration until the person's next registration in the
-- programme (computed once, not per period), so a period picks it with a range join.
-- name: ind_case_spans
select
    c.*,
    lead(c.registration_date) over (
        partition by c.programme, c.person_key
        order by c.registration_date, c.case_id
    ) as superseded_on
from cases c;

-- name: ind_current
select
    p.year, p.as_of, p.y_start, p.y_cut, c.case_id, c.programme, c.person_key, c.district_code,
    c.township, c.disability_category, c.gender, c.birth_date, c.need_assessed,
    c.medical_insurance, c.family_doctor_signed, c.income_assessment_date, c.exit_date
from ind_periods p
join ind_case_spans c
    on c.registration_date <= p.as_of
    and (c.superseded_on is null or c.superseded_on > p.as_of);

-- Served in Y: any of the person's cases (registered by the as-of date) has a service that
-- started by min(as_of, Dec 31 Y) and had not ended before Jan 1 Y; for programmes that
-- count only standardised services (mental_rehab), only those.
-- name: ind_served
select
    p.year,
    p.as_of,
    c.programme,
    c.person_key,
    -- programmes for children (children_only) count persons aged 0-17 when the service started
    bool_or(c.birth_date is null or s.start_date < c.birth_date + interval '18' year) as as_child
from ind_periods p
join cases c on c.registration_date <= p.as_of
join services s on s.case_id = c.case_id
join ref_programmes rp on rp.code = c.programme
where s.start_date <= p.y_cut
    and (s.end_date is null or s.end_date >= p.y_start)
    and (not rp.standardized_only or coalesce(s.standardized, false))
group by p.year, p.as_of, c.programme, c.person_key;

-- Person-level facts, one row per person and indicator that counts them (in_denominator is
-- null for count indicators). The person rows are read once; each indicator's rule is a case
-- on the programme's indicator list.
-- name: ind_person_facts
with
persons as (
    select
        cur.year,
        cur.as_of,
        cur.y_start,
        cur.y_cut,
        cur.programme,
        cur.person_key,
        cur.district_code,
        coalesce(cur.township, '未填写') as township,
        coalesce(cur.disability_category, '未填写') as category,
        coalesce(cur.gender, '未填写') as gender,
        case
            when cur.birth_date is null then '未知'
            when cur.birth_date > cur.y_cut - interval '7' year then '0-6'
            when cur.birth_date > cur.y_cut - interval '18' year then '7-17'
            when cur.birth_date > cur.y_cut - interval '45' year then '18-44'
            when cur.birth_date > cur.y_cut - interval '60' year then '45-59'
            else '60+'
        end as age_band,
        (cur.exit_date is null or cur.exit_date >= cur.y_start) as active,
        coalesce(cur.need_assessed, false) as needs,
        coalesce(cur.medical_insurance, false) as insured,
        coalesce(cur.family_doctor_signed, false) as doctor_signed,
        coalesce(
            cur.income_assessment_date <= cur.y_cut
            and cur.income_assessment_date > cur.y_cut - interval '12' month,
            false
        ) as income_reassessed,
        sv.person_key is not null as served,
        coalesce(sv.as_child, false) as served_as_child,
        rp.need_filter,
        rp.children_only
    from ind_current cur
    join ref_programmes rp on rp.code = cur.programme
    left join ind_served sv
        on sv.year = cur.year
        and sv.as_of = cur.as_of
        and sv.programme = cur.programme
        and sv.person_key = cur.person_key
)
select
    p.year, p.as_of, p.programme, pi.indicator,
    p.district_code, p.township, p.category, p.gender, p.age_band,
    case when pi.indicator = 'served_count' then cast(null as integer) else 1 end as in_denominator,
    case pi.indicator
        when 'service_coverage' then case when p.served then 1 else 0 end
        when 'served_count' then 1
        when 'medical_insurance_coverage' then case when p.insured then 1 else 0 end
        when 'family_doctor_coverage' then case when p.doctor_signed then 1 else 0 end
        when 'income_reassessed' then case when p.income_reassessed then 1 else 0 end
    end as in_numerator
from persons p
join ref_programme_indicators pi on pi.programme = p.programme
where case pi.indicator
    when 'service_coverage' then p.active and (not p.need_filter or p.needs)
    when 'served_count' then p.served and (not p.children_only or p.served_as_child)
    when 'medical_insurance_coverage' then p.active
    when 'family_doctor_coverage' then p.active
    when 'income_reassessed' then p.active
    else false
end;

-- Applications of Y (application date in Y and on or before the as-of date), per the case's
-- district. Reviewed in time: within the indicator's working days (ref_indicators, 5) of the
-- official calendar (make-up days count as working days). Still pending and not yet overdue:
-- not counted either way.
-- name: ind_application_facts
with
applications as (
    select
        p.year,
        p.as_of,
        c.programme,
        c.district_code,
        coalesce(c.township, '未填写') as township,
        c.application_date,
        case when c.review_date <= p.as_of then c.review_date end as review_date,
        p.as_of as cutoff,
        (select working_days from ref_indicators where code = 'review_timeliness') as limit_days
    from ind_periods p
    join cases c
        on c.application_date >= p.y_start
        and c.application_date <= p.y_cut
),
counted as (
    select
        a.*,
        wr.workday_seq - wa.workday_seq as review_days,
        wc.workday_seq - wa.workday_seq as waiting_days,
        wa.source <> 'official' or wr.source <> 'official' or wc.source <> 'official' as fallback
    from applications a
    join ref_workdays wa on wa.day = a.application_date
    left join ref_workdays wr on wr.day = a.review_date
    left join ref_workdays wc on wc.day = a.cutoff
)
select
    c.year,
    c.as_of,
    c.programme,
    'review_timeliness' as indicator,
    c.district_code,
    c.township,
    1 as in_denominator,
    case when c.review_days <= c.limit_days then 1 else 0 end as in_numerator,
    coalesce(c.fallback, false) as calendar_fallback
from counted c
join ref_programme_indicators pi
    on pi.programme = c.programme
    and pi.indicator = 'review_timeliness'
where c.review_date is not null or c.waiting_days > c.limit_days;

-- District capability: a district can serve when at least one institution designated for
-- the programme has a designation overlapping Y (and starting by the as-of date).
-- name: ind_capability_facts
with
capable as (
    select distinct
        p.year,
        p.as_of,
        pi.programme,
        i.district_code
    from ind_periods p
    cross join ref_programme_indicators pi
    join institutions i
        on array_contains(i.programmes, pi.programme)
        and (i.designated_from is null or i.designated_from <= p.y_cut)
        and (i.designated_to is null or i.designated_to >= p.y_start)
    where pi.indicator = 'district_capability'
)
select
    p.year,
    p.as_of,
    pi.programme,
    'district_capability' as indicator,
    u.code as district_code,
    1 as in_denominator,
    case when c.district_code is not null then 1 else 0 end as in_numerator
from ind_periods p
cross join ref_units u
join ref_programme_indicators pi on pi.indicator = 'district_capability'
left join capable c
    on c.year = p.year
    and c.as_of = p.as_of
    and c.programme = pi.programme
    and c.district_code = u.code;

-- Staff of institutions designated for the programme, reported for year Y.
-- name: ind_staff_facts
with
staff_of_programme as (
    select
        p.year,
        p.as_of,
        pi.programme,
        pi.indicator,
        i.district_code,
        s.professional_degree,
        s.direct_service,
        s.training_hours
    from ind_periods p
    join staff s on s.year = p.year
    join institutions i on i.institution_id = s.institution_id
    join ref_programme_indicators pi
        on array_contains(i.programmes, pi.programme)
        and pi.indicator in ('staff_professional_share', 'training_hours_met')
)
select
    year, as_of, programme, indicator, district_code,
    1 as in_denominator,
    case
        when indicator = 'staff_professional_share' and coalesce(professional_degree, false) then 1
        when indicator = 'training_hours_met' and coalesce(training_hours, 0) >= 20 then 1
        else 0
    end as in_numerator
from staff_of_programme
where indicator = 'staff_professional_share' or coalesce(direct_service, false);
