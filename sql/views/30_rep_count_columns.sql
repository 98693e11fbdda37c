-- rep_count_columns: the 23 count columns of stat_reports (统计月报), as data.
-- One row per column, in contract order (audit.core.contract.REPORT_COUNT_COLUMNS):
--   pos           1..23, the column's position in the contract
--   column_name   the stat_reports column
--   source_table  the register the column is counted from (women, births, procedures)
--   source_zh     how a message names that count in Chinese: "出生登记本月为" ...
--   source_en     the same in English: "births registered this month:" ...
--   unit_zh       人 (persons) or 例 (operations)
--   label_zh      the column in words, as the report form names it: 已婚育龄妇女, 放环 ...
--   label_en      the same in English: married women, IUD insertions ...
-- Used to turn a report row, or the per-village record counts, into one row per
-- (unit, column) with CROSS JOIN + CASE, which transpiles to Spark unchanged.
CREATE OR REPLACE VIEW rep_count_columns AS
SELECT pos, column_name, source_table, source_zh, source_en, unit_zh, label_zh, label_en
FROM (
    VALUES
        (1, 'women_total', 'women', '育龄妇女花名册为', 'women on the register:', '人', '育龄妇女', 'women'),
        (2, 'married_women', 'women', '花名册已婚（初婚+再婚）为', 'married or remarried women on the register:', '人', '已婚育龄妇女', 'married women'),
        (3, 'births_total', 'births', '出生登记本月为', 'births registered this month:', '人', '出生', 'births'),
        (4, 'births_order1', 'births', '出生登记本月一孩为', 'first births registered this month:', '人', '一孩出生', 'first births'),
        (5, 'births_order2', 'births', '出生登记本月二孩为', 'second births registered this month:', '人', '二孩出生', 'second births'),
        (6, 'births_order3plus', 'births', '出生登记本月三孩及以上为', 'third or later births registered this month:', '人', '三孩及以上出生', 'third or later births'),
        (7, 'births_male', 'births', '出生登记本月男孩为', 'boys registered this month:', '人', '出生男孩', 'boys born'),
        (8, 'births_female', 'births', '出生登记本月女孩为', 'girls registered this month:', '人', '出生女孩', 'girls born'),
        (9, 'births_out_of_policy', 'births', '出生登记本月政策外为', 'out-of-policy births registered this month:', '人', '政策外出生', 'out-of-policy births'),
        (10, 'users_iud', 'women', '花名册上环为', 'IUD users on the register:', '人', '上环', 'IUD users'),
        (11, 'users_tubal_ligation', 'women', '花名册女扎为', 'tubal ligation on the register:', '人', '女扎', 'tubal ligation'),
        (12, 'users_vasectomy', 'women', '花名册男扎为', 'vasectomy on the register:', '人', '男扎', 'vasectomy'),
        (13, 'users_implant', 'women', '花名册皮埋为', 'implant users on the register:', '人', '皮埋', 'implant users'),
        (14, 'users_oral_pill', 'women', '花名册口服药为', 'oral pill users on the register:', '人', '口服药', 'oral pill users'),
        (15, 'users_injection', 'women', '花名册注射为', 'injection users on the register:', '人', '注射', 'injection users'),
        (16, 'users_condom', 'women', '花名册避孕套为', 'condom users on the register:', '人', '避孕套', 'condom users'),
        (17, 'users_other', 'women', '花名册其他措施为', 'other-method users on the register:', '人', '其他措施', 'other-method users'),
        (18, 'out_migrant_women', 'women', '花名册流出为', 'out-migrant women on the register:', '人', '流出育龄妇女', 'out-migrant women'),
        (19, 'in_migrant_women', 'women', '花名册流入为', 'in-migrant women on the register:', '人', '流入育龄妇女', 'in-migrant women'),
        (20, 'proc_iud_insert', 'procedures', '手术登记本月放环为', 'IUD insertions registered this month:', '例', '放环', 'IUD insertions'),
        (21, 'proc_iud_remove', 'procedures', '手术登记本月取环为', 'IUD removals registered this month:', '例', '取环', 'IUD removals'),
        (22, 'proc_ligation', 'procedures', '手术登记本月结扎（女扎+男扎）为', 'ligations (tubal + vasectomy) registered this month:', '例', '结扎', 'ligations'),
        (23, 'proc_abortion', 'procedures', '手术登记本月人流引产为', 'abortions and induced labours registered this month:', '例', '人流引产', 'abortions and induced labours')
) AS c (pos, column_name, source_table, source_zh, source_en, unit_zh, label_zh, label_en)
