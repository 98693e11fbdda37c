-- rep_village_record_cells: rep_village_records in long form, one row per (village, count
-- column), with the labels of rep_count_columns for messages. Columns:
--   village_code, pos, column_name, source_table, source_zh, source_en, unit_zh, label_zh,
--   label_en, value
CREATE OR REPLACE VIEW rep_village_record_cells AS
SELECT
    v.village_code,
    c.pos,
    c.column_name,
    c.source_table,
    c.source_zh,
    c.source_en,
    c.unit_zh,
    c.label_zh,
    c.label_en,
    CASE c.column_name
        WHEN 'women_total' THEN v.women_total
        WHEN 'married_women' THEN v.married_women
        WHEN 'births_total' THEN v.births_total
        WHEN 'births_order1' THEN v.births_order1
        WHEN 'births_order2' THEN v.births_order2
        WHEN 'births_order3plus' THEN v.births_order3plus
        WHEN 'births_male' THEN v.births_male
        WHEN 'births_female' THEN v.births_female
        WHEN 'births_out_of_policy' THEN v.births_out_of_policy
        WHEN 'users_iud' THEN v.users_iud
        WHEN 'users_tubal_ligation' THEN v.users_tubal_ligation
        WHEN 'users_vasectomy' THEN v.users_vasectomy
        WHEN 'users_implant' THEN v.users_implant
        WHEN 'users_oral_pill' THEN v.users_oral_pill
        WHEN 'users_injection' THEN v.users_injection
        WHEN 'users_condom' THEN v.users_condom
        WHEN 'users_other' THEN v.users_other
        WHEN 'out_migrant_women' THEN v.out_migrant_women
        WHEN 'in_migrant_women' THEN v.in_migrant_women
        WHEN 'proc_iud_insert' THEN v.proc_iud_insert
        WHEN 'proc_iud_remove' THEN v.proc_iud_remove
        WHEN 'proc_ligation' THEN v.proc_ligation
        WHEN 'proc_abortion' THEN v.proc_abortion
    END AS value
FROM rep_village_records AS v
CROSS JOIN rep_count_columns AS c
