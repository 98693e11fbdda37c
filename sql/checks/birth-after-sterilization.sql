-- birth-after-sterilization: a birth more than 300 days after the mother's tubal ligation
-- (女扎): a tubal_ligation procedure of hers on file, or her register method tubal_ligation
-- with its method_date. A child conceived just before the operation is born within about 300
-- days, so day 300 itself is not a finding. With several ligation dates the earliest one more
-- than 300 days before the birth is named.
-- A husband's vasectomy (男扎) is not this rule: the rule is about the mother's own operation.
-- Detail columns: mother_id, child_name, child_birth_date, ligation_date, days_after,
-- source_zh, source_en (the procedure_id, or the register's method date).
WITH ligations AS (
    SELECT
        person_id,
        procedure_date AS ligation_date,
        1 AS source_rank,
        procedure_id AS source_id
    FROM procedures
    WHERE procedure = 'tubal_ligation'
        AND person_id IS NOT NULL
        AND procedure_date IS NOT NULL
    UNION ALL
    SELECT person_id, method_date, 2, person_id
    FROM women
    WHERE method = 'tubal_ligation'
        AND person_id IS NOT NULL
        AND method_date IS NOT NULL
),
matched AS (
    SELECT
        b.birth_id,
        b.village_code,
        b.mother_id,
        b.child_name,
        b.child_birth_date,
        l.ligation_date,
        l.source_rank,
        l.source_id,
        date_diff('day', l.ligation_date, b.child_birth_date) AS days_after,
        row_number() OVER (
            PARTITION BY b.birth_id, b.mother_id, b.child_birth_date
            ORDER BY l.ligation_date, l.source_rank, l.source_id
        ) AS pick
    FROM births AS b
    JOIN ligations AS l ON l.person_id = b.mother_id
    WHERE b.birth_id IS NOT NULL
        AND b.child_birth_date IS NOT NULL
        AND date_diff('day', l.ligation_date, b.child_birth_date) > 300
)
SELECT DISTINCT
    birth_id AS record,
    village_code,
    mother_id,
    COALESCE(child_name, '') AS child_name,
    CAST(child_birth_date AS VARCHAR) AS child_birth_date,
    CAST(ligation_date AS VARCHAR) AS ligation_date,
    days_after,
    CASE source_rank
        WHEN 1 THEN '手术登记 ' || source_id
        ELSE '花名册措施日期'
    END AS source_zh,
    CASE source_rank
        WHEN 1 THEN 'procedure ' || source_id
        ELSE 'method date on the register of women'
    END AS source_en
FROM matched
WHERE pick = 1
ORDER BY record
