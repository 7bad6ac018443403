-- What is loaded, per dataset and district: the data page's overview and a smoke check for
-- every publish. The runner (marts.py) writes it as the table load_summary.
-- name: load_summary
with
cases_by_district as (
    select
        'cases' as dataset,
        district_code,
        programme,
        count(*) as rows,
        count(distinct person_key) as persons,
        max(registration_date) as latest_date
    from cases
    group by all
),
institutions_by_district as (
    select
        'institutions' as dataset,
        district_code,
        cast(null as varchar) as programme,
        count(*) as rows,
        cast(null as bigint) as persons,
        max(designated_from) as latest_date
    from institutions
    group by all
),
services_by_district as (
    select
        'services' as dataset,
        c.district_code,
        c.programme,
        count(*) as rows,
        count(distinct c.person_key) as persons,
        max(s.start_date) as latest_date
    from services s
    join cases c on c.case_id = s.case_id
    group by all
)
select * from cases_by_district
union all
select * from institutions_by_district
union all
select * from services_by_district
