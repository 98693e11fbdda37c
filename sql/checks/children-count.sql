-- children-count: a woman whose number of living children (现有子女数) is less than her births
-- on the birth register (births rows with mother_id = her person_id). A row that dup-birth
-- reports as a copy of another (same mother, child birth date and child name) is counted once,
-- so one duplicated entry does not raise a second finding here. Empty children: the loader's.
-- Detail columns: name, children, births.
WITH births_once AS (
    SELECT
        b.mother_id,
        b.child_name,
        b.child_birth_date,
        row_number() OVER (
            PARTITION BY b.mother_id, b.child_birth_date, b.child_name
            ORDER BY b.birth_id
        ) AS copy_no
    FROM births AS b
    WHERE b.mother_id IS NOT NULL
),
per_mother AS (
    SELECT mother_id, count(*) AS births
    FROM births_once
    WHERE copy_no = 1 OR child_name IS NULL OR child_birth_date IS NULL
    GROUP BY mother_id
)
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    COALESCE(w.name, '') AS name,
    w.children,
    p.births
FROM women AS w
JOIN per_mother AS p ON p.mother_id = w.person_id
WHERE w.children IS NOT NULL
    AND w.children < p.births
ORDER BY record, village_code, children
