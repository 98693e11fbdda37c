-- Data-quality scores per village and for the township (数据完整性, 逻辑关系正确性):
--   completeness  filled required fields / required fields, over every record
--   correctness   records without a logic, invalid_id or duplicate finding / records
-- rpt_records (one row per record of the nine tables, with its village and its filled and
-- required field counts) is built from the data contract's required columns; rpt_flagged
-- holds the (table, record) of every finding of those three categories.
WITH flagged AS (
    SELECT DISTINCT table_name, record FROM rpt_flagged
)
SELECT
    GROUPING(r.village_code) AS is_township,
    r.village_code,
    SUM(r.filled) AS filled,
    SUM(r.required) AS required,
    COUNT(*) AS records,
    SUM(CASE WHEN f.record IS NULL THEN 1 ELSE 0 END) AS clean
FROM rpt_records AS r
LEFT JOIN flagged AS f ON f.table_name = r.table_name AND f.record = r.record
GROUP BY GROUPING SETS ((r.village_code), ())
ORDER BY is_township, r.village_code
