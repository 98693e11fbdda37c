-- id-region: a valid ID (id-format passes) whose first six digits are not a GB/T 2260 division
-- code (行政区划代码): not a code at all, or a code abolished before the holder's birth year (it
-- cannot have been issued to her). Codes current and historical are in ref_divisions (python-
-- stdnum's list); a code created after the birth year is fine, since IDs are issued after birth.
-- record: that table's primary key; table_name: the table holding it.
-- Detail columns: id_column, id_column_zh, table_title_zh, id_number, region, problem_zh,
-- problem_en.
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
    i.id_region AS region,
    CASE
        WHEN d.code IS NULL THEN ' 不是行政区划代码'
        ELSE '（' || d.name || '）' || CAST(d.last_year AS VARCHAR) || ' 年后已撤销，早于出生年份 '
            || CAST(year(i.id_birth_date) AS VARCHAR)
    END AS problem_zh,
    CASE
        WHEN d.code IS NULL THEN 'is not a division code'
        ELSE '(' || d.name || ') was abolished after ' || CAST(d.last_year AS VARCHAR)
            || ', before the birth year ' || CAST(year(i.id_birth_date) AS VARCHAR)
    END AS problem_en
FROM stat_ids AS i
-- The few distinct numbers with a bad region are found first, so the join with every ID
-- occurrence is built from them (not from every valid number).
INNER JOIN (
    SELECT n.id_number, r.code, r.name, r.last_year
    FROM stat_id_numbers AS n
    LEFT JOIN ref_divisions AS r ON r.code = n.id_region
    WHERE n.id_valid AND (r.code IS NULL OR r.last_year < year(n.id_birth_date))
) AS d ON d.id_number = i.id_number
ORDER BY i.table_name, i.record, i.id_column, i.village_code
