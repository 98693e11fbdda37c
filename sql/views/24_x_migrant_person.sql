-- x_migrant_person: one floating-population row per person_id, for looking a person up when she
-- is not on the women's register (name, village). Chosen: an open row (return_date empty) before
-- a closed one, then the latest move_date (an empty one counts as earliest), then the greatest
-- migrant_id, then the other columns; taken as the max of one struct so the row stays whole.
-- A table built once per audit (several checks and views look persons up here).
-- Columns (stable): person_id, migrant_id, name, direction, village_code, marital_status,
-- is_open (true when return_date is empty).
CREATE OR REPLACE TABLE x_migrant_person AS
SELECT
    chosen.person_id,
    NULLIF(chosen.top.i, '') AS migrant_id,
    chosen.top.n AS name,
    chosen.top.dir AS direction,
    chosen.top.v AS village_code,
    chosen.top.s AS marital_status,
    chosen.top.o AS is_open
FROM (
    SELECT
        m.person_id,
        max(
            struct_pack(
                o := m.return_date IS NULL,
                d := COALESCE(m.move_date, DATE '0001-01-01'),
                i := COALESCE(m.migrant_id, ''),
                -- NULL flags first: both engines then order a NULL field last (see x_women_person)
                n0 := m.name IS NULL, n := m.name,
                dir0 := m.direction IS NULL, dir := m.direction,
                v0 := m.village_code IS NULL, v := m.village_code,
                s0 := m.marital_status IS NULL, s := m.marital_status
            )
        ) AS top
    FROM migrants AS m
    WHERE m.person_id IS NOT NULL
    GROUP BY m.person_id
) AS chosen
