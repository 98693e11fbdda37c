-- rep_report_rows: the stat_reports rows of the audit period with a complete key (rows with
-- an empty level or unit_code are left out: the loader reports them as key-missing).
-- Columns: every stat_reports column, plus
--   record                     "period|level|unit_code", the finding record of the row
--   level_zh                   乡镇 / 村 / 组
--   village_code               where a finding on the row is sent: the unit_code of a
--                              township or village row, the village part of a group row
--                              ("<village_code>-<group_no>")
--   parent_level, parent_code  the row one level up that should equal the sum of its
--                              children: a group's village, a village's township (its
--                              first 9 digits + "000"); NULL for township rows
CREATE OR REPLACE VIEW rep_report_rows AS
SELECT
    r.*,
    r.period || '|' || r.level || '|' || r.unit_code AS record,
    CASE r.level WHEN 'township' THEN '乡镇' WHEN 'village' THEN '村' WHEN 'group' THEN '组' END
        AS level_zh,
    CASE
        WHEN r.level = 'group' AND strpos(r.unit_code, '-') > 0
            THEN substr(r.unit_code, 1, strpos(r.unit_code, '-') - 1)
        ELSE r.unit_code
    END AS village_code,
    CASE r.level WHEN 'group' THEN 'village' WHEN 'village' THEN 'township' END AS parent_level,
    CASE
        WHEN r.level = 'group' AND strpos(r.unit_code, '-') > 0
            THEN substr(r.unit_code, 1, strpos(r.unit_code, '-') - 1)
        WHEN r.level = 'village' AND length(r.unit_code) = 12
            THEN substr(r.unit_code, 1, 9) || '000'
    END AS parent_code
FROM stat_reports AS r
INNER JOIN audit_params AS a ON r.period = a.period
WHERE r.level IS NOT NULL AND r.unit_code IS NOT NULL
