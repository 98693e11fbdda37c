-- age-range: a woman on the register aged under 15 or over 49 at the period end (outside the
-- childbearing ages 15-49 the register holds). Age = completed years (周岁) at the period end:
-- the year difference, minus one if the birthday has not come yet in the end year (a 29 February
-- birthday comes on 1 March in common years).
-- Detail columns: name, birth_date, age, period_end.
SELECT DISTINCT
    a.person_id AS record,
    a.village_code,
    COALESCE(a.name, '') AS name,
    CAST(a.birth_date AS VARCHAR) AS birth_date,
    a.age,
    CAST(a.period_end AS VARCHAR) AS period_end
FROM (
    SELECT
        w.person_id,
        w.village_code,
        w.name,
        w.birth_date,
        params.period_end,
        year(params.period_end) - year(w.birth_date)
            - CASE
                WHEN month(params.period_end) * 100 + day(params.period_end)
                    < month(w.birth_date) * 100 + day(w.birth_date) THEN 1
                ELSE 0
            END AS age
    FROM women AS w
    CROSS JOIN audit_params AS params
    WHERE w.person_id IS NOT NULL AND w.birth_date IS NOT NULL
) AS a
WHERE a.age < 15 OR a.age > 49
ORDER BY record, village_code, birth_date
