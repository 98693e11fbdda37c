-- dup-person: a person_id on the register of women more than once, in the same village or in
-- several. One finding per (person_id, village) so that every village holding a copy is told;
-- record: the person_id. Rows without a person_id are the loader's (key-missing).
-- Detail columns: times (rows in all), rows_here (rows in this village), names,
-- villages_zh / villages_en (each village with its number of rows).
-- The duplicated persons are found first with a plain count; the ordered string_agg below, far
-- more costly per group, then runs over their rows only, not over the whole register.
WITH repeated AS (
    SELECT person_id, count(*) AS times
    FROM women
    WHERE person_id IS NOT NULL
    GROUP BY person_id
    HAVING count(*) > 1
),
per_village AS (
    SELECT
        w.person_id,
        w.village_code,
        count(*) AS rows_here
    FROM women AS w
    WHERE w.person_id IN (SELECT person_id FROM repeated)
    GROUP BY w.person_id, w.village_code
),
duplicated AS (
    SELECT
        person_id,
        sum(rows_here) AS times,
        string_agg(
            COALESCE(village_code, '（无村代码）') || '（' || CAST(rows_here AS VARCHAR) || ' 条）',
            '、' ORDER BY village_code
        ) AS villages_zh,
        string_agg(
            COALESCE(village_code, '(no village)') || ' (' || CAST(rows_here AS VARCHAR) || ')',
            ', ' ORDER BY village_code
        ) AS villages_en
    FROM per_village
    GROUP BY person_id
),
-- Names are gathered for the duplicated persons only, not for the whole register.
names AS (
    SELECT person_id, string_agg(name, '/' ORDER BY name) AS names
    FROM (
        SELECT DISTINCT w.person_id, w.name
        FROM women AS w
        WHERE w.name IS NOT NULL
            AND w.person_id IN (SELECT person_id FROM duplicated)
    ) AS n
    GROUP BY person_id
)
SELECT
    v.person_id AS record,
    v.village_code,
    d.times,
    v.rows_here,
    COALESCE(n.names, '') AS names,
    d.villages_zh,
    d.villages_en
FROM per_village AS v
JOIN duplicated AS d ON d.person_id = v.person_id
LEFT JOIN names AS n ON n.person_id = v.person_id
ORDER BY record, village_code
