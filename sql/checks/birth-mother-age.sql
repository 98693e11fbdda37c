-- birth-mother-age: the mother under 15 or over 49 at the child's birth (warning), under 12 or
-- over 60 (error: almost certainly a wrong date or a wrong mother). Her birth date comes from
-- the register of women (the earliest, should she be on it twice), else from her ID number
-- when it is valid (migrants carry no birth date). Age = completed years at child_birth_date,
-- as at the period end elsewhere; 15 and 49 themselves are fine. ID dates: stat_id_numbers.
-- Detail columns: mother_id, child_name, child_birth_date, mother_birth_date, mother_age,
-- source_zh, source_en (where her birth date came from).
WITH mothers AS (
    SELECT DISTINCT mother_id
    FROM births
    WHERE birth_id IS NOT NULL AND mother_id IS NOT NULL AND child_birth_date IS NOT NULL
),
-- Only the births' mothers are looked up: on the register, and in the parsed IDs.
register AS (
    SELECT w.person_id, min(w.birth_date) AS birth_date
    FROM women AS w
    WHERE w.birth_date IS NOT NULL
        AND w.person_id IN (SELECT mother_id FROM mothers)
    GROUP BY w.person_id
),
id_dates AS (
    SELECT n.id_number, n.id_birth_date
    FROM stat_id_numbers AS n
    WHERE n.id_valid
        AND n.id_number IN (SELECT mother_id FROM mothers)
),
aged AS (
    SELECT
        b.birth_id,
        b.village_code,
        b.mother_id,
        b.child_name,
        b.child_birth_date,
        COALESCE(r.birth_date, i.id_birth_date) AS mother_birth_date,
        CASE WHEN r.birth_date IS NOT NULL THEN 'register' ELSE 'id' END AS source
    FROM births AS b
    LEFT JOIN register AS r ON r.person_id = b.mother_id
    LEFT JOIN id_dates AS i ON i.id_number = b.mother_id
    WHERE b.birth_id IS NOT NULL
        AND b.mother_id IS NOT NULL
        AND b.child_birth_date IS NOT NULL
),
ages AS (
    SELECT
        aged.*,
        year(child_birth_date) - year(mother_birth_date)
            - CASE
                WHEN month(child_birth_date) * 100 + day(child_birth_date)
                    < month(mother_birth_date) * 100 + day(mother_birth_date) THEN 1
                ELSE 0
            END AS mother_age
    FROM aged
    WHERE mother_birth_date IS NOT NULL
)
SELECT
    birth_id AS record,
    village_code,
    CASE WHEN mother_age < 12 OR mother_age > 60 THEN 'error' ELSE 'warning' END AS severity,
    mother_id,
    COALESCE(child_name, '') AS child_name,
    CAST(child_birth_date AS VARCHAR) AS child_birth_date,
    CAST(mother_birth_date AS VARCHAR) AS mother_birth_date,
    mother_age,
    CASE source WHEN 'register' THEN '花名册' ELSE '身份证号码' END AS source_zh,
    CASE source WHEN 'register' THEN 'the register of women' ELSE 'her ID number' END
        AS source_en
FROM ages
WHERE mother_age < 15 OR mother_age > 49
ORDER BY record
