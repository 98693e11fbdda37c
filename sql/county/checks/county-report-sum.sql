-- county-report-sum (县乡两级不一致): in the county's period, for every count column, the county
-- row of stat_reports (level county, from the county's own report) differs from the sum of the
-- township rows of the townships that submitted (county_townships with a folder; an expected
-- township with no folder has its own finding, county-township-missing). Compared only when
-- every submitted township has its township row and every cell of the column is filled (a
-- folder that could not be audited leaves the sum unknown).
-- One finding per (county row, column); sent to the county office: record =
-- "<county_code>|<period>|county|<unit_code>" (table stat_reports), village_code = unit_code.
-- Detail columns: period, unit_code, column_name, reported, townships_sum, difference,
-- townships (rows summed).
WITH towns AS (
    SELECT
        c.column_name,
        c.pos,
        count(*) AS rows_found,
        count(c.value) AS known,
        sum(c.value) AS townships_sum
    FROM c_report_cells AS c
    INNER JOIN county_townships AS t
        ON c.township_code = t.township_code AND c.unit_code = t.township_code
    WHERE c.level = 'township'
    GROUP BY c.column_name, c.pos
)

SELECT
    r.township_code || '|' || r.period || '|county|' || r.unit_code AS record,
    r.unit_code AS village_code,
    r.period,
    r.unit_code,
    r.column_name,
    r.value AS reported,
    s.townships_sum,
    r.value - s.townships_sum AS difference,
    s.rows_found AS townships
FROM c_report_cells AS r
INNER JOIN towns AS s ON s.column_name = r.column_name
CROSS JOIN county_params AS p
WHERE
    r.level = 'county'
    AND r.township_code = p.county_code
    AND r.value IS NOT NULL
    AND s.known = s.rows_found
    AND s.rows_found = (SELECT count(*) FROM county_townships WHERE folder IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM county_townships WHERE folder IS NOT NULL AND NOT audited)
    AND r.value <> s.townships_sum
ORDER BY record, r.pos
