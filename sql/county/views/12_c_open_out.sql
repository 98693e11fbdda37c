-- c_open_out: open out rows (direction out, no return_date) of the county's floating-population
-- registers, with the township of the county their destination (place) names, if any: the
-- place text holds the township's name or the first nine digits of its code. When it names
-- several, the longest name wins (a town named inside another's name), then the code.
-- Columns: township_code (the home township), migrant_id, person_id, name, village_code,
-- move_date, place, dest_code, dest_name (NULL when the place is outside the county).
CREATE OR REPLACE VIEW c_open_out AS
SELECT
    m.township_code,
    m.migrant_id,
    m.person_id,
    m.name,
    m.village_code,
    m.move_date,
    m.place,
    arg_max(t.township_code, length(t.township_name) * 1000 - rank_code) AS dest_code,
    arg_max(t.township_name, length(t.township_name) * 1000 - rank_code) AS dest_name
FROM migrants AS m
LEFT JOIN (
    SELECT
        township_code,
        COALESCE(township_name, township_code) AS township_name,
        row_number() OVER (ORDER BY township_code) AS rank_code
    FROM county_townships
) AS t
    ON t.township_code <> m.township_code
    AND (
        (t.township_name IS NOT NULL AND strpos(m.place, t.township_name) > 0)
        OR strpos(m.place, substr(t.township_code, 1, 9)) > 0
    )
WHERE m.direction = 'out' AND m.return_date IS NULL AND m.person_id IS NOT NULL
GROUP BY
    m.township_code, m.migrant_id, m.person_id, m.name, m.village_code, m.move_date, m.place
