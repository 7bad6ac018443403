-- What is loaded, per dataset and district: the data page's overview and a smoke check for
-- every publish.
create or replace table load_summary as
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
        null as programme,
        count(*) as rows,
        null as persons,
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
union all by name
select * from institutions_by_district
union all by name
select * from services_by_district;
