-- indicator_values: every indicator per programme, period and unit (city, prefecture,
-- district, township) with target, expected path, gap, status, projection and persons still needed.
-- Reads the temp tables of 10_facts.sql; parameter $lagging_points (status thresholds).
with
district_values as (
    -- person and application facts roll up city ← district ← township
    select
        year, as_of, programme, indicator,
        case
            when grouping(district_code) = 1 then 'city'
            when grouping(township) = 1 then 'district'
            else 'township'
        end as unit_level,
        district_code,
        township,
        cast(sum(in_denominator) as bigint) as denominator,
        cast(sum(in_numerator) as bigint) as numerator,
        false as calendar_fallback
    from ind_person_facts
    group by grouping sets (
        (year, as_of, programme, indicator),
        (year, as_of, programme, indicator, district_code),
        (year, as_of, programme, indicator, district_code, township)
    )

    union all
    select
        year, as_of, programme, indicator,
        case
            when grouping(district_code) = 1 then 'city'
            when grouping(township) = 1 then 'district'
            else 'township'
        end as unit_level,
        district_code,
        township,
        cast(sum(in_denominator) as bigint),
        cast(sum(in_numerator) as bigint),
        bool_or(calendar_fallback)
    from ind_application_facts
    group by grouping sets (
        (year, as_of, programme, indicator),
        (year, as_of, programme, indicator, district_code),
        (year, as_of, programme, indicator, district_code, township)
    )

    union all
    select
        year, as_of, programme, indicator,
        case when grouping(district_code) = 1 then 'city' else 'district' end,
        district_code,
        cast(null as varchar),
        cast(sum(in_denominator) as bigint),
        cast(sum(in_numerator) as bigint),
        false
    from (
        -- institution and staff facts have districts but no townships
        select year, as_of, programme, indicator, district_code, in_denominator, in_numerator
        from ind_capability_facts
        union all
        select year, as_of, programme, indicator, district_code, in_denominator, in_numerator
        from ind_staff_facts
    )
    group by grouping sets (
        (year, as_of, programme, indicator),
        (year, as_of, programme, indicator, district_code)
    )
),
unit_values as (
    -- a province's cities (ref_prefectures; none for a city): the sums of their districts,
    -- as every fact belongs to at most one district; until the final select a prefecture's
    -- code is kept in district_code
    select * from district_values
    union all
    select
        d.year, d.as_of, d.programme, d.indicator,
        'prefecture',
        u.prefecture,
        cast(null as varchar),
        cast(sum(d.denominator) as bigint),
        cast(sum(d.numerator) as bigint),
        bool_or(d.calendar_fallback)
    from district_values d
    join ref_units u on u.code = d.district_code
    join ref_prefectures r on r.code = u.prefecture
    where d.unit_level = 'district'
    group by d.year, d.as_of, d.programme, d.indicator, u.prefecture
),
frame as (
    -- every district and the city for every programme indicator and period, data or not;
    -- townships only where data exists
    select
        p.year, p.as_of, pi.programme, pi.indicator, pi.unit,
        'city' as unit_level,
        'city' as unit_code,
        cast(null as varchar) as district_code,
        cast(null as varchar) as township
    from ind_periods p
    cross join ref_programme_indicators pi

    union all
    select
        p.year, p.as_of, pi.programme, pi.indicator, pi.unit,
        'prefecture', r.code, r.code, cast(null as varchar)
    from ind_periods p
    cross join ref_programme_indicators pi
    cross join ref_prefectures r

    union all
    select
        p.year, p.as_of, pi.programme, pi.indicator, pi.unit,
        'district', u.code, u.code, cast(null as varchar)
    from ind_periods p
    cross join ref_programme_indicators pi
    cross join ref_units u

    union all
    select
        v.year, v.as_of, v.programme, v.indicator, pi.unit,
        'township', v.district_code || '/' || v.township, v.district_code, v.township
    from unit_values v
    join ref_programme_indicators pi
        on pi.programme = v.programme
        and pi.indicator = v.indicator
    where v.unit_level = 'township'
),
measured as (
    select
        f.*,
        case when f.unit = 'count' then cast(null as bigint) else coalesce(v.denominator, 0) end
            as denominator,
        coalesce(v.numerator, 0) as numerator,
        coalesce(v.calendar_fallback, false) as calendar_fallback,
        case
            when f.unit = 'count' then cast(coalesce(v.numerator, 0) as double)
            when coalesce(v.denominator, 0) = 0 then cast(null as double)
            else cast(v.numerator as double) / v.denominator
        end as value
    from frame f
    left join unit_values v
        on v.year = f.year
        and v.as_of = f.as_of
        and v.programme = f.programme
        and v.indicator = f.indicator
        and v.unit_level = f.unit_level
        and coalesce(v.district_code, '') = coalesce(f.district_code, '')
        and coalesce(v.township, '') = coalesce(f.township, '')
),
targeted as (
    -- the newest target row for the year or an earlier one (carried forward); within a
    -- year a unit's own row beats the city's, and that the row for every district
    select
        m.*,
        t.value as target,
        t.year as target_year,
        t.source as target_source,
        row_number() over (
            partition by m.year, m.as_of, m.programme, m.indicator, m.unit_level, m.unit_code
            order by
                t.year desc,
                case when t.scope = coalesce(m.district_code, 'city') then 0
                     when t.scope = 'city' then 1 else 2 end
        ) as target_rank
    from measured m
    left join ref_targets t
        on t.programme = m.programme
        and t.indicator = m.indicator
        and t.year <= m.year
        and (
            -- a count target for every district is not a prefecture's (it sums districts)
            (t.scope = '*' and (m.unit_level <> 'prefecture' or m.unit <> 'count'))
            or (m.unit_level = 'city' and t.scope = 'city')
            -- a share the jurisdiction must reach, each of its prefectures must reach
            or (m.unit_level = 'prefecture' and t.scope = 'city' and m.unit <> 'count')
            or (m.unit_level <> 'city' and t.scope = m.district_code)
        )
),
with_baseline as (
    select
        t.year, t.as_of, t.programme, t.indicator, t.unit, t.unit_level, t.unit_code,
        t.district_code, t.township, t.denominator, t.numerator, t.calendar_fallback, t.value,
        t.target, t.target_year, t.target_source,
        case when t.unit = 'count' then 0.0 else coalesce(b.value, 0.0) end as baseline,
        case
            when t.as_of >= make_date(t.year, 12, 31) then 1.0
            else (date_diff('day', make_date(t.year, 1, 1), t.as_of) + 1)
                / cast(date_diff('day', make_date(t.year, 1, 1), make_date(t.year, 12, 31)) + 1
                    as double)
        end as elapsed
    from targeted t
    left join measured b
        on b.year = t.year - 1
        and b.as_of = make_date(t.year - 1, 12, 31)
        and b.programme = t.programme
        and b.indicator = t.indicator
        and b.unit_level = t.unit_level
        and b.unit_code = t.unit_code
    where t.target_rank = 1
),
assessed as (
    select
        w.*,
        w.baseline + (w.target - w.baseline) * w.elapsed as expected
    from with_baseline w
)
select
    a.programme,
    a.indicator,
    a.year,
    a.as_of,
    a.unit_level,
    a.unit_code,
    case when a.unit_level <> 'prefecture' then a.district_code end as district_code,
    case
        when a.unit_level = 'city' then j.name
        when a.unit_level = 'prefecture' then r.name
        else coalesce(u.name, a.district_code)
    end as district_name,
    a.township,
    a.denominator,
    a.numerator,
    a.value,
    a.unit,
    a.target,
    a.target_year,
    a.target_year < a.year as target_carried,
    a.target_source,
    case when a.target is not null then a.expected end as expected,
    case
        when a.value is null or a.target is null then cast(null as double)
        when a.unit = 'count' then a.value - a.target
        else round((a.value - a.target) * 100, 4)
    end as gap,
    case
        when a.target is null then 'no_target'
        when a.value is null or (a.unit = 'count' and a.numerator = 0 and a.unit_level <> 'city'
            and a.target_year is null) then 'no_data'
        -- a tolerance of 1e-9 keeps exact boundaries exact despite floating point
        when a.value >= a.target - 1e-9 then 'met'
        when a.value >= a.expected - 1e-9 then 'on_track'
        when a.unit = 'count'
            and (a.expected - a.value) <= a.target * $lagging_points / 100 + 1e-9 then 'lagging'
        when a.unit <> 'count' and (a.expected - a.value) * 100 <= $lagging_points + 1e-9
            then 'lagging'
        else 'behind'
    end as status,
    case
        when a.value is null or a.elapsed <= 0 then cast(null as double)
        when a.unit = 'count' then a.value / a.elapsed
        else least(1.0, greatest(0.0, a.baseline + (a.value - a.baseline) / a.elapsed))
    end as projection,
    case
        when a.target is null or a.value is null then cast(null as bigint)
        when a.unit = 'count' then cast(greatest(0, ceil(a.target - a.numerator)) as bigint)
        else cast(greatest(0, ceil(a.target * a.denominator - 1e-9) - a.numerator) as bigint)
    end as persons_needed,
    a.calendar_fallback
from assessed a
join periods p
    on p.year = a.year
    and p.as_of = a.as_of
cross join ref_jurisdiction j
left join ref_units u on u.code = a.district_code and a.unit_level <> 'prefecture'
left join ref_prefectures r on r.code = a.district_code and a.unit_level = 'prefecture'
