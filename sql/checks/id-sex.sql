-- id-sex: an ID of a woman's record whose 17th digit is odd, i.e. a man's ID: women.person_id,
-- births.mother_id and migrants.person_id (the floating-population register lists women).
-- Only IDs that pass id-format are judged (a malformed ID says nothing reliable about sex).
-- record: that table's primary key; table_name: the table holding it.
-- Detail columns: id_column, id_column_zh, table_title_zh, id_number, digit17.
SELECT DISTINCT
    i.table_name,
    i.record,
    i.village_code,
    i.id_column,
    CASE i.id_column WHEN 'mother_id' THEN '母亲身份证号' ELSE '身份证号' END AS id_column_zh,
    CASE i.table_name
        WHEN 'women' THEN '育龄妇女花名册'
        WHEN 'births' THEN '出生登记'
        WHEN 'migrants' THEN '流动人口登记'
    END AS table_title_zh,
    i.id_number,
    substr(i.id_number, 17, 1) AS digit17
FROM stat_ids AS i
WHERE i.table_name IN ('women', 'births', 'migrants')
    AND i.id_valid
    AND i.is_male
ORDER BY i.table_name, i.record, i.village_code
