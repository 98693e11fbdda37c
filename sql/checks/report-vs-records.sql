-- report-vs-records (报表与个案不一致): a village row of stat_reports for the audit period whose
-- count differs from the count of the records (rep_village_records: women by village, marital
-- status, method and residence at the period end; births, by order, sex and policy, and
-- procedures dated in the period month). One finding per (village row, column); a column
-- with an empty report cell is not compared.
-- A village with records but no row at all in the report (neither a village row nor group
-- rows) is one finding on the missing row, record "period|village|<code>", showing the
-- first count the records give it (usually women_total). It is only reported when the
-- report has rows for the period (a missing or empty stat_reports is a completeness matter);
-- a village that has group rows but no village row is report-levels' finding, not this one.
-- Detail columns: period, column_name, reported (NULL for a missing row), records,
-- difference (reported − records), source_table (women, births, procedures),
-- source_zh/_en and unit_zh (how the records' count is named), reported_zh/_en, diff_zh/_en.
WITH differs AS (
    SELECT
        p.record,
        p.unit_code AS village_code,
        p.period,
        p.pos,
        p.column_name,
        p.value AS reported,
        v.value AS records,
        p.value - v.value AS difference,
        v.source_table,
        v.source_zh,
        v.source_en,
        v.unit_zh,
        '报表 ' || v.label_zh || ' ' || CAST(p.value AS VARCHAR) || ' ' || v.unit_zh
            AS reported_zh,
        'report ' || v.label_en || ' ' || CAST(p.value AS VARCHAR) AS reported_en,
        '（差 ' || CAST(p.value - v.value AS VARCHAR) || '）' AS diff_zh,
        ' (difference ' || CAST(p.value - v.value AS VARCHAR) || ')' AS diff_en
    FROM rep_report_cells AS p
    INNER JOIN rep_village_record_cells AS v
        ON p.unit_code = v.village_code AND p.column_name = v.column_name
    WHERE
        p.level = 'village'
        AND p.value IS NOT NULL
        AND p.value <> v.value
),

unreported AS (
    SELECT
        v.village_code,
        MIN(v.pos) AS pos
    FROM rep_village_record_cells AS v
    WHERE
        v.value > 0
        AND EXISTS (SELECT 1 FROM rep_report_rows)
        AND NOT EXISTS (
            SELECT 1
            FROM rep_report_rows AS r
            WHERE r.level IN ('village', 'group') AND r.village_code = v.village_code
        )
    GROUP BY v.village_code
),

missing AS (
    SELECT
        a.period || '|village|' || v.village_code AS record,
        v.village_code,
        a.period,
        v.pos,
        v.column_name,
        CAST(NULL AS BIGINT) AS reported,
        v.value AS records,
        CAST(NULL AS BIGINT) AS difference,
        v.source_table,
        v.source_zh,
        v.source_en,
        v.unit_zh,
        '报表中没有该村的行' AS reported_zh,
        'no village row in the report' AS reported_en,
        '' AS diff_zh,
        '' AS diff_en
    FROM unreported AS u
    INNER JOIN rep_village_record_cells AS v
        ON u.village_code = v.village_code AND u.pos = v.pos
    CROSS JOIN audit_params AS a
),

findings AS (
    SELECT * FROM differs
    UNION ALL
    SELECT * FROM missing
)

SELECT
    record,
    village_code,
    period,
    column_name,
    reported,
    records,
    difference,
    source_table,
    source_zh,
    source_en,
    unit_zh,
    reported_zh,
    reported_en,
    diff_zh,
    diff_en
FROM findings
ORDER BY record, pos
