-- county-dup-birth (跨乡镇重复出生登记): one birth — the same mother_id, child_birth_date and
-- child_name, as dup-birth matches within a township — on the birth registers of two or more
-- townships of the county. Every township holding a copy gets a finding: they must agree which
-- one keeps it (the mother's registered township, 户籍地 or 现居住地 by the county's rule).
-- Rows missing any of the three cannot be compared (loader findings cover them).
-- record = "<township_code>|<birth_id>"; village_code = that row's village.
-- Detail columns: birth_id, mother_id, child_name, child_birth_date, others (the other
-- townships and their birth_id, comma-separated).
WITH b AS (
    SELECT township_code, birth_id, mother_id, child_name, child_birth_date, village_code
    FROM births
    WHERE
        birth_id IS NOT NULL
        AND mother_id IS NOT NULL
        AND child_name IS NOT NULL
        AND child_birth_date IS NOT NULL
        AND township_code IS NOT NULL
),

pairs AS (
    SELECT
        a.township_code,
        a.birth_id,
        a.mother_id,
        a.child_name,
        a.child_birth_date,
        a.village_code,
        o.township_code AS other_code,
        COALESCE(t.township_name || ' ', '') || o.township_code || ' ' || o.birth_id AS other_label
    FROM b AS a
    INNER JOIN b AS o
        ON a.mother_id = o.mother_id
        AND a.child_birth_date = o.child_birth_date
        AND a.child_name = o.child_name
        AND a.township_code <> o.township_code
    LEFT JOIN county_townships AS t ON t.township_code = o.township_code
)

SELECT
    township_code || '|' || birth_id AS record,
    village_code,
    birth_id,
    mother_id,
    child_name,
    CAST(child_birth_date AS VARCHAR) AS child_birth_date,
    string_agg(other_label, ', ' ORDER BY other_label) AS others
FROM pairs
GROUP BY township_code, birth_id, mother_id, child_name, child_birth_date, village_code
ORDER BY record
