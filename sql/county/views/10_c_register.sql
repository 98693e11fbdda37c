-- c_register: every township's register (women) in the county, one row per (township, person),
-- with the side of the county's books she is on:
--   side = 'in'     the township records her as an in-migrant (residence = in, 流入)
--   side = 'local'  the township counts her as its own (resident 常住 or out-migrant 流出;
--                   an empty residence counts as resident)
-- Columns: township_code, person_id, name, village_code, residence, side.
-- A person can be 'local' in one township only (one household registration, 户籍) and 'in' in
-- one township only (she lives in one place); 'local' in A and 'in' in B is a migration.
CREATE OR REPLACE VIEW c_register AS
SELECT
    w.township_code,
    w.person_id,
    MIN(w.name) AS name,
    MIN(w.village_code) AS village_code,
    MIN(COALESCE(w.residence, 'resident')) AS residence,
    CASE WHEN MIN(COALESCE(w.residence, 'resident')) = 'in' THEN 'in' ELSE 'local' END AS side
FROM women AS w
WHERE w.person_id IS NOT NULL AND w.township_code IS NOT NULL
GROUP BY w.township_code, w.person_id
