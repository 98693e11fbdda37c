-- Where a person belongs, for ledgers that carry no village of their own (migrant_births):
-- the village on the register of women, else the village of her floating-population row.
-- Of several rows the least village: x_women_person has already chosen hers (a row with a
-- village before one without, then the least village code), so only the persons with no
-- register village are looked up among the floating population's rows.
-- A table built once per audit, not a view: the four numbers, the birth evidence and the
-- quality of migrant_births read it (as a view, a window over the whole register ran for
-- each of them, 0.35 s each at 1M women).
CREATE OR REPLACE TABLE rpt_person_village AS
SELECT wp.person_id, wp.village_code
FROM x_women_person AS wp
WHERE wp.village_code IS NOT NULL
UNION ALL
SELECT m.person_id, MIN(m.village_code) AS village_code
FROM migrants AS m
LEFT JOIN x_women_person AS wp
    ON wp.person_id = m.person_id AND wp.village_code IS NOT NULL
WHERE m.person_id IS NOT NULL
  AND m.village_code IS NOT NULL
  AND wp.person_id IS NULL
GROUP BY m.person_id
