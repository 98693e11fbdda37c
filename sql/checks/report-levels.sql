-- report-levels (乡村组三级不一致): in the audit period, for every count column, the sum of a
-- village's group rows differs from the village row, or the sum of a township's village rows
-- differs from the township row. One finding per (parent row, column); record = the parent.
-- A village without group rows, or a township without village rows, is not compared (the
-- report was not broken down). A column is compared only when the parent cell and every
-- child cell are filled.
-- A parent row that is missing while child rows exist (group rows of a village without its
-- village row; village rows without the township row) is one finding on the missing row,
-- record "period|village|<code>" or "period|township|<code>", showing the children's
-- women_total.
-- Detail columns: period, level, level_zh, unit_code, child_level, child_zh, children (child
-- rows), column_name, column_zh/_en and unit_zh (the column in words), reported (NULL for a
-- missing row), children_sum, difference (reported − children_sum), reported_zh/_en (what the parent row says), diff_zh/_en.
WITH kids AS (
    SELECT
        c.parent_level,
        c.parent_code,
        c.column_name,
        c.pos,
        MIN(c.level) AS child_level,
        COUNT(*) AS children,
        COUNT(c.value) AS known,
        SUM(c.value) AS children_sum
    FROM rep_report_cells AS c
    WHERE c.parent_code IS NOT NULL
    GROUP BY c.parent_level, c.parent_code, c.column_name, c.pos
),

differs AS (
    SELECT
        p.record,
        p.village_code,
        p.period,
        p.level,
        p.level_zh,
        p.unit_code,
        k.child_level,
        CASE k.child_level WHEN 'group' THEN '组' ELSE '村' END AS child_zh,
        k.children,
        p.column_name,
        p.pos,
        p.value AS reported,
        k.children_sum,
        p.value - k.children_sum AS difference,
        cc.label_zh AS column_zh,
        cc.label_en AS column_en,
        cc.unit_zh,
        '报表 ' || cc.label_zh || ' ' || CAST(p.value AS VARCHAR) || ' ' || cc.unit_zh
            AS reported_zh,
        'report ' || cc.label_en || ' ' || CAST(p.value AS VARCHAR) AS reported_en,
        '（差 ' || CAST(p.value - k.children_sum AS VARCHAR) || '）' AS diff_zh,
        ' (difference ' || CAST(p.value - k.children_sum AS VARCHAR) || ')' AS diff_en
    FROM rep_report_cells AS p
    INNER JOIN kids AS k
        ON
            p.level = k.parent_level
            AND p.unit_code = k.parent_code
            AND p.column_name = k.column_name
    INNER JOIN rep_count_columns AS cc ON p.column_name = cc.column_name
    WHERE
        p.value IS NOT NULL
        AND k.known = k.children
        AND p.value <> k.children_sum
),

missing AS (
    SELECT
        a.period || '|' || k.parent_level || '|' || k.parent_code AS record,
        k.parent_code AS village_code,
        a.period,
        k.parent_level AS level,
        CASE k.parent_level WHEN 'township' THEN '乡镇' ELSE '村' END AS level_zh,
        k.parent_code AS unit_code,
        k.child_level,
        CASE k.child_level WHEN 'group' THEN '组' ELSE '村' END AS child_zh,
        k.children,
        k.column_name,
        k.pos,
        CAST(NULL AS BIGINT) AS reported,
        COALESCE(k.children_sum, 0) AS children_sum,
        CAST(NULL AS BIGINT) AS difference,
        cc.label_zh AS column_zh,
        cc.label_en AS column_en,
        cc.unit_zh,
        '报表中没有这一行' AS reported_zh,
        'no row in the report' AS reported_en,
        '' AS diff_zh,
        '' AS diff_en
    FROM kids AS k
    INNER JOIN rep_count_columns AS cc ON k.column_name = cc.column_name
    CROSS JOIN audit_params AS a
    WHERE
        k.column_name = 'women_total'
        AND NOT EXISTS (
            SELECT 1
            FROM rep_report_rows AS r
            WHERE r.level = k.parent_level AND r.unit_code = k.parent_code
        )
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
    level,
    level_zh,
    unit_code,
    child_level,
    child_zh,
    children,
    column_name,
    reported,
    children_sum,
    difference,
    column_zh,
    column_en,
    unit_zh,
    reported_zh,
    reported_en,
    diff_zh,
    diff_en
FROM findings
ORDER BY record, pos
