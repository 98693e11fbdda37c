-- early-marriage: a marriage_date before the woman's 20th birthday (the legal marriage age of
-- women). Her age at marriage is counted in completed years exactly as ages at the period end
-- are (a 29 February birthday comes on 1 March in common years), so a marriage on the 20th
-- birthday is not early. Any woman with both dates is judged, whatever her status.
-- Detail columns: name, birth_date, marriage_date, age_at_marriage.
SELECT DISTINCT
    a.person_id AS record,
    a.village_code,
    COALESCE(a.name, '') AS name,
    CAST(a.birth_date AS VARCHAR) AS birth_date,
    CAST(a.marriage_date AS VARCHAR) AS marriage_date,
    a.age_at_marriage
FROM (
    SELECT
        w.person_id,
        w.village_code,
        w.name,
        w.birth_date,
        w.marriage_date,
        year(w.marriage_date) - year(w.birth_date)
            - CASE
                WHEN month(w.marriage_date) * 100 + day(w.marriage_date)
                    < month(w.birth_date) * 100 + day(w.birth_date) THEN 1
                ELSE 0
            END AS age_at_marriage
    FROM women AS w
    WHERE w.person_id IS NOT NULL
        AND w.birth_date IS NOT NULL
        AND w.marriage_date IS NOT NULL
) AS a
WHERE a.age_at_marriage < 20
ORDER BY record, village_code, birth_date, marriage_date
