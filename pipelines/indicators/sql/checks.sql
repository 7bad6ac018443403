-- Checks of the marts, run after they are computed and before they are published. Each check
-- is a select of the offending rows (none when the marts are right), as dbt's data tests are;
-- a check that returns rows fails the run, and the published snapshot stays as it was.
-- Blocks start with "-- check: <name>"; the comment lines below it say what it asserts.

-- check: values_unique
-- One row of indicator_values per programme, indicator, year, as-of date and unit.
select programme, indicator, year, as_of, unit_level, unit_code, count(*) as copies
from indicator_values
group by programme, indicator, year, as_of, unit_level, unit_code
having count(*) > 1;

-- check: monthly_unique
-- One row of indicator_monthly per programme, indicator, month end and unit.
select programme, indicator, year, as_of, unit_level, unit_code, count(*) as copies
from indicator_monthly
group by programme, indicator, year, as_of, unit_level, unit_code
having count(*) > 1;

-- check: status_known
-- Every status is one of the six the pages, exports and bulletins know.
select 'indicator_values' as mart, programme, indicator, year, as_of, unit_code, status
from indicator_values
where status is null
   or status not in ('met', 'on_track', 'lagging', 'behind', 'no_data', 'no_target')
union all
select 'indicator_monthly', programme, indicator, year, as_of, unit_code, status
from indicator_monthly
where status is null
   or status not in ('met', 'on_track', 'lagging', 'behind', 'no_data', 'no_target');

-- check: indicator_of_programme
-- Every row is an indicator its programme has (ref_programme_indicators).
select distinct v.programme, v.indicator
from indicator_values v
left join ref_programme_indicators p on p.programme = v.programme and p.indicator = v.indicator
where p.programme is null;

-- check: units_in_jurisdiction
-- District rows are county-level units of the jurisdiction, prefecture rows its cities (a
-- province's); the city row is 'city'.
select programme, indicator, year, as_of, unit_level, unit_code
from indicator_values
where (unit_level = 'district' and unit_code not in (select code from ref_units))
   or (unit_level = 'prefecture' and unit_code not in (select code from ref_prefectures))
   or (unit_level = 'city' and unit_code <> 'city')
   or unit_level not in ('city', 'prefecture', 'district', 'township');

-- check: prefectures_complete
-- Every programme, indicator and period has one row for each prefecture (none for a city).
select programme, indicator, year, as_of, count(distinct unit_code) as prefectures
from indicator_values
where unit_level = 'prefecture'
group by programme, indicator, year, as_of
having count(distinct unit_code) <> (select count(*) from ref_prefectures);

-- check: prefecture_sums
-- A prefecture's numerator and denominator are the sums of its districts'.
with sums as (
    select v.programme, v.indicator, v.year, v.as_of, u.prefecture,
           sum(v.numerator) as numerator, sum(v.denominator) as denominator
    from indicator_values v
    join ref_units u on u.code = v.unit_code
    where v.unit_level = 'district'
    group by v.programme, v.indicator, v.year, v.as_of, u.prefecture
)
select p.programme, p.indicator, p.year, p.as_of, p.unit_code,
       p.numerator, s.numerator as districts_numerator
from indicator_values p
join sums s
    on s.programme = p.programme and s.indicator = p.indicator and s.year = p.year
    and s.as_of = p.as_of and s.prefecture = p.unit_code
where p.unit_level = 'prefecture'
  and (p.numerator is distinct from s.numerator or p.denominator is distinct from s.denominator);

-- check: districts_complete
-- Every programme, indicator and period has one row for each district of the jurisdiction.
select programme, indicator, year, as_of, count(distinct unit_code) as districts
from indicator_values
where unit_level = 'district'
group by programme, indicator, year, as_of
having count(distinct unit_code) <> (select count(*) from ref_units);

-- check: ratio_consistent
-- A ratio is its numerator over its denominator, never above 1 nor below 0.
select programme, indicator, year, as_of, unit_level, unit_code, numerator, denominator, value
from indicator_values
where unit = 'ratio'
  and (numerator < 0 or denominator < 0 or numerator > denominator
       or (denominator > 0 and abs(value - numerator / denominator) > 1e-9)
       or (denominator = 0 and value is not null));

-- check: additive_sums
-- Where an indicator is additive (ref_indicators.additive: each member belongs to exactly
-- one district), the districts' numerators and denominators sum to the city's.
with districts as (
    select programme, indicator, year, as_of,
           sum(numerator) as numerator, sum(denominator) as denominator
    from indicator_values
    where unit_level = 'district'
    group by programme, indicator, year, as_of
)
select c.programme, c.indicator, c.year, c.as_of,
       c.numerator as city_numerator, d.numerator as districts_numerator,
       c.denominator as city_denominator, d.denominator as districts_denominator
from indicator_values c
join districts d using (programme, indicator, year, as_of)
join ref_indicators i on i.code = c.indicator
where c.unit_level = 'city' and i.additive
  and (c.numerator is distinct from d.numerator or c.denominator is distinct from d.denominator);
