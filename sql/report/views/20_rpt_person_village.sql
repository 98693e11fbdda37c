-- Where a person belongs, for ledgers that carry no village of their own (migrant_births):
-- the village on the register of women, else the village of her floating-population row.
CREATE OR REPLACE VIEW rpt_person_village AS
SELECT person_id, village_code
FROM (
    SELECT
        person_id,
        village_code,
        ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY source, village_code) AS pick
    FROM (
        SELECT w.person_id, w.village_code, 1 AS source
        FROM women AS w
        WHERE w.person_id IS NOT NULL AND w.village_code IS NOT NULL
        UNION ALL
        SELECT m.person_id, m.village_code, 2 AS source
        FROM migrants AS m
        WHERE m.person_id IS NOT NULL AND m.village_code IS NOT NULL
    ) AS placed
) AS ranked
WHERE pick = 1
