-- x_code_labels: display labels (zh, en) of the contract's code values, for finding messages.
-- One row per (code_set, code); code sets: method (避孕方法), procedure (手术), item (药具),
-- residence (居住状态), marital_status (婚姻状况), direction (流向).
-- Columns (stable): code_set, code, label_zh, label_en.
-- A message template cannot translate a code, so checks join here and output
-- <name>_zh / <name>_en columns; an unknown code shows as itself.
CREATE OR REPLACE VIEW x_code_labels AS
SELECT code_set, code, label_zh, label_en
FROM (
    VALUES
        ('method', 'iud', '上环', 'IUD'),
        ('method', 'tubal_ligation', '女扎', 'tubal ligation'),
        ('method', 'vasectomy', '男扎', 'vasectomy'),
        ('method', 'implant', '皮埋', 'implant'),
        ('method', 'oral_pill', '口服药', 'oral pill'),
        ('method', 'injection', '注射', 'injection'),
        ('method', 'condom', '避孕套', 'condom'),
        ('method', 'other', '其他', 'other'),
        ('method', 'none', '未避孕', 'none'),
        ('procedure', 'iud_insert', '放环', 'IUD insertion'),
        ('procedure', 'iud_remove', '取环', 'IUD removal'),
        ('procedure', 'tubal_ligation', '女扎', 'tubal ligation'),
        ('procedure', 'vasectomy', '男扎', 'vasectomy'),
        ('procedure', 'implant_insert', '皮埋', 'implant insertion'),
        ('procedure', 'implant_remove', '取皮埋', 'implant removal'),
        ('procedure', 'abortion', '人工流产', 'abortion'),
        ('procedure', 'induced_labor', '引产', 'induced labour'),
        ('item', 'condom', '避孕套', 'condoms'),
        ('item', 'oral_pill', '口服避孕药', 'oral pills'),
        ('item', 'injection', '避孕针', 'contraceptive injections'),
        ('item', 'emergency_pill', '紧急避孕药', 'emergency pills'),
        ('item', 'other', '其他药具', 'other supplies'),
        ('residence', 'resident', '常住', 'resident'),
        ('residence', 'out', '流出', 'out-migrant'),
        ('residence', 'in', '流入', 'in-migrant'),
        ('marital_status', 'single', '未婚', 'single'),
        ('marital_status', 'married', '初婚', 'married'),
        ('marital_status', 'remarried', '再婚', 'remarried'),
        ('marital_status', 'divorced', '离婚', 'divorced'),
        ('marital_status', 'widowed', '丧偶', 'widowed'),
        ('direction', 'out', '流出', 'out'),
        ('direction', 'in', '流入', 'in')
) AS labels (code_set, code, label_zh, label_en)
