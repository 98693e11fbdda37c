-- c_report_cells: the county and township rows of stat_reports for the county's period, one
-- row per (row, count column) (rep_count_columns gives the 23 columns in contract order).
-- County rows come from the county's own report (township_code = the county code), township
-- rows from each township's submission. Columns: township_code (whose file holds the row),
-- period, level, unit_code, pos, column_name, value (NULL when the cell is empty).
CREATE OR REPLACE VIEW c_report_cells AS
SELECT
    r.township_code,
    r.period,
    r.level,
    r.unit_code,
    c.pos,
    c.column_name,
    CASE c.column_name
        WHEN 'women_total' THEN r.women_total
        WHEN 'married_women' THEN r.married_women
        WHEN 'births_total' THEN r.births_total
        WHEN 'births_order1' THEN r.births_order1
        WHEN 'births_order2' THEN r.births_order2
        WHEN 'births_order3plus' THEN r.births_order3plus
        WHEN 'births_male' THEN r.births_male
        WHEN 'births_female' THEN r.births_female
        WHEN 'births_out_of_policy' THEN r.births_out_of_policy
        WHEN 'users_iud' THEN r.users_iud
        WHEN 'users_tubal_ligation' THEN r.users_tubal_ligation
        WHEN 'users_vasectomy' THEN r.users_vasectomy
        WHEN 'users_implant' THEN r.users_implant
        WHEN 'users_oral_pill' THEN r.users_oral_pill
        WHEN 'users_injection' THEN r.users_injection
        WHEN 'users_condom' THEN r.users_condom
        WHEN 'users_other' THEN r.users_other
        WHEN 'out_migrant_women' THEN r.out_migrant_women
        WHEN 'in_migrant_women' THEN r.in_migrant_women
        WHEN 'proc_iud_insert' THEN r.proc_iud_insert
        WHEN 'proc_iud_remove' THEN r.proc_iud_remove
        WHEN 'proc_ligation' THEN r.proc_ligation
        WHEN 'proc_abortion' THEN r.proc_abortion
    END AS value
FROM stat_reports AS r
INNER JOIN county_params AS p ON r.period = p.period
CROSS JOIN rep_count_columns AS c
WHERE r.level IN ('county', 'township') AND r.unit_code IS NOT NULL
