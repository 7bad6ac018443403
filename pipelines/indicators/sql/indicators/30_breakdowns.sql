-- indicator_breakdowns: the person-level indicators by disability category, gender, age band
-- and township, for each district and the city. Reads the temp tables of 10_facts.sql.
with
long_facts as (
    select year, as_of, programme, indicator, district_code, 'category' as dimension,
        category as member, in_denominator, in_numerator
    from ind_person_facts
    union all
    select year, as_of, programme, indicator, district_code, 'gender', gender,
        in_denominator, in_numerator
    from ind_person_facts
    union all
    select year, as_of, programme, indicator, district_code, 'age_band', age_band,
        in_denominator, in_numerator
    from ind_person_facts
    union all
    select year, as_of, programme, indicator, district_code, 'township', township,
        in_denominator, in_numerator
    from ind_person_facts
),
grouped as (
    select
        year, as_of, programme, indicator, dimension, member,
        case when grouping(district_code) = 1 then 'city' else 'district' end as unit_level,
        coalesce(district_code, 'city') as unit_code,
        cast(sum(in_denominator) as bigint) as denominator,
        cast(sum(in_numerator) as bigint) as numerator
    from long_facts
    group by grouping sets (
        (year, as_of, programme, indicator, dimension, member),
        (year, as_of, programme, indicator, dimension, member, district_code)
    )
)
select
    g.programme,
    g.indicator,
    g.year,
    g.as_of,
    g.unit_level,
    g.unit_code,
    coalesce(u.name, j.name) as unit_name,
    g.dimension,
    g.member,
    g.denominator,
    g.numerator,
    case
        when pi.unit = 'count' then cast(g.numerator as double)
        when coalesce(g.denominator, 0) = 0 then cast(null as double)
        else cast(g.numerator as double) / g.denominator
    end as value,
    pi.unit
from grouped g
join periods p on p.year = g.year and p.as_of = g.as_of
join ref_programme_indicators pi on pi.programme = g.programme and pi.indicator = g.indicator
cross join ref_jurisdiction j
left join ref_units u on u.code = g.unit_code
