-- rep_report_cells: rep_report_rows (stat_reports of the audit period) in long form, one
-- row per (report row, count column), for the checks that compare cells (report-levels,
-- report-vs-records). Columns:
--   period, level, unit_code, record, level_zh, village_code, parent_level, parent_code
--                              as in rep_report_rows
--   pos, column_name           the count column (rep_count_columns)
--   value                      the reported count (NULL when the cell is empty), as
--                              DECIMAL(38, 0): sums of any reported counts cannot overflow
CREATE OR REPLACE VIEW rep_report_cells AS
SELECT
    r.period,
    r.level,
    r.unit_code,
    r.record,
    r.level_zh,
    r.village_code,
    r.parent_level,
    r.parent_code,
    c.pos,
    c.column_name,
    CAST(CASE c.column_name
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
    END AS DECIMAL(38, 0)) AS value
FROM rep_report_rows AS r
CROSS JOIN rep_count_columns AS c
