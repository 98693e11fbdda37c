-- dup-birth: births rows with the same mother_id, child_birth_date and child_name. The first
-- by birth_id is kept; every other row is a finding naming that first one. Rows missing any of
-- the three cannot be compared and are left to the loader's completeness findings.
-- Detail columns: first_birth_id, copies (rows of that birth), mother_id, child_name,
-- child_birth_date.
SELECT
    r.birth_id AS record,
    r.village_code,
    r.first_birth_id,
    r.copies,
    r.mother_id,
    r.child_name,
    CAST(r.child_birth_date AS VARCHAR) AS child_birth_date
FROM (
    SELECT
        b.birth_id,
        b.village_code,
        b.mother_id,
        b.child_name,
        b.child_birth_date,
        row_number() OVER (
            PARTITION BY b.mother_id, b.child_birth_date, b.child_name
            ORDER BY b.birth_id
        ) AS copy_no,
        first_value(b.birth_id) OVER (
            PARTITION BY b.mother_id, b.child_birth_date, b.child_name
            ORDER BY b.birth_id
        ) AS first_birth_id,
        count(*) OVER (PARTITION BY b.mother_id, b.child_birth_date, b.child_name) AS copies
    FROM births AS b
    WHERE b.birth_id IS NOT NULL
        AND b.mother_id IS NOT NULL
        AND b.child_birth_date IS NOT NULL
        AND b.child_name IS NOT NULL
) AS r
WHERE r.copy_no > 1
ORDER BY record
