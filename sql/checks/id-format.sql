-- id-format: a person_id / mother_id in any table that is not a valid 18-character resident ID
-- (length, digits, a real birth date, MOD 11-2 check character); the rule itself is in the view
-- stat_ids. Empty IDs are not findings here (the loader reports empty cells and keys).
-- record: that table's primary key; table_name: the table holding it.
-- A person on the register twice with the same bad ID gives one finding (DISTINCT).
-- Detail columns: id_column, id_column_zh, table_title_zh, id_number, problem_zh, problem_en.
SELECT DISTINCT
    i.table_name,
    i.record,
    i.village_code,
    i.id_column,
    CASE i.id_column WHEN 'mother_id' THEN '母亲身份证号' ELSE '身份证号' END AS id_column_zh,
    CASE i.table_name
        WHEN 'women' THEN '育龄妇女花名册'
        WHEN 'births' THEN '出生登记'
        WHEN 'supply_issues' THEN '药具发放登记'
        WHEN 'procedures' THEN '四项手术登记'
        WHEN 'checkups' THEN '三查登记'
        WHEN 'migrants' THEN '流动人口登记'
        WHEN 'migrant_births' THEN '流动人口出生通报'
    END AS table_title_zh,
    i.id_number,
    i.problem_zh,
    i.problem_en
FROM stat_ids AS i
WHERE NOT i.id_valid
ORDER BY i.table_name, i.record, i.id_column, i.village_code
