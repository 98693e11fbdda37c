-- county-outmigrant-unrecorded (流入地漏登): an open out row (流出) of township A whose destination
-- (place) names township B of the county, while no township of the county records her as an
-- in-migrant (c_in_records) and B — a township whose folder was audited (the rows of one that
-- could not be read, or that is missing, are unknown) — does not have her on its register at
-- all. B must register her
-- (流入登记), so the finding is sent to B: village_code = B's township code (the township-level
-- address: B has no village for her yet). The record is A's out row, keyed with A:
-- "<A township_code>|<migrant_id>" (table migrants).
-- Detail columns: person_id, name, home_code, home_label (A, name and code), dest_code,
-- dest_label (B), migrant_id, move_date, place.
SELECT
    o.township_code || '|' || o.migrant_id AS record,
    o.dest_code AS village_code,
    o.person_id,
    o.name,
    o.township_code AS home_code,
    COALESCE(h.township_name || ' ', '') || o.township_code AS home_label,
    o.dest_code,
    o.dest_name || ' ' || o.dest_code AS dest_label,
    o.migrant_id,
    CAST(o.move_date AS VARCHAR) AS move_date,
    o.place
FROM c_open_out AS o
LEFT JOIN county_townships AS h ON h.township_code = o.township_code
WHERE
    o.dest_code IS NOT NULL
    AND EXISTS (
        SELECT 1 FROM county_townships AS d
        WHERE d.township_code = o.dest_code AND d.audited
    )
    AND NOT EXISTS (
        SELECT 1 FROM c_in_records AS i
        WHERE i.person_id = o.person_id AND i.township_code <> o.township_code
    )
    AND NOT EXISTS (
        SELECT 1 FROM c_register AS r
        WHERE r.person_id = o.person_id AND r.township_code = o.dest_code
    )
ORDER BY record
