-- future-date: a date after the period end in any table (certificate_expiry aside: a
-- certificate is valid into the future). One finding per record, listing every such date
-- column with its value, so an officer fixes a row once.
-- Tables without dates (stat_reports, supply_stock) have periods, not dates: not judged.
-- table_name: the table of the record; village_code: the row's own, for migrant_births the
-- mother's register village, else her floating-population village.
-- Detail columns: table_title_zh, dates_zh, dates_en ("column value" pairs), period_end.
WITH dates AS (
    SELECT 'women' AS table_name, person_id AS record, village_code,
           1 AS pos, 'birth_date' AS column_en, '出生日期' AS column_zh, birth_date AS value
    FROM women
    UNION ALL
    SELECT 'women', person_id, village_code, 2, 'marriage_date', '结婚日期', marriage_date
    FROM women
    UNION ALL
    SELECT 'women', person_id, village_code, 3, 'method_date', '措施日期', method_date
    FROM women
    UNION ALL
    SELECT 'women', person_id, village_code, 4, 'pregnancy_date', '孕情日期', pregnancy_date
    FROM women
    UNION ALL
    SELECT 'births', birth_id, village_code, 1, 'child_birth_date', '婴儿出生日期',
           child_birth_date
    FROM births
    UNION ALL
    SELECT 'births', birth_id, village_code, 2, 'reported_date', '上报日期', reported_date
    FROM births
    UNION ALL
    SELECT 'supply_issues', issue_id, village_code, 1, 'issue_date', '发放日期', issue_date
    FROM supply_issues
    UNION ALL
    SELECT 'procedures', procedure_id, village_code, 1, 'procedure_date', '手术日期',
           procedure_date
    FROM procedures
    UNION ALL
    SELECT 'checkups', checkup_id, village_code, 1, 'checkup_date', '查验日期', checkup_date
    FROM checkups
    UNION ALL
    SELECT 'migrants', migrant_id, village_code, 1, 'move_date', '流动日期', move_date
    FROM migrants
    UNION ALL
    SELECT 'migrants', migrant_id, village_code, 2, 'last_feedback_date', '最近反馈日期',
           last_feedback_date
    FROM migrants
    UNION ALL
    SELECT 'migrants', migrant_id, village_code, 3, 'return_date', '返回日期', return_date
    FROM migrants
    UNION ALL
    SELECT 'migrant_births', mb.report_id, COALESCE(wp.village_code, mp.village_code), 1,
           'child_birth_date', '婴儿出生日期', mb.child_birth_date
    FROM migrant_births AS mb
    LEFT JOIN x_women_person AS wp ON wp.person_id = mb.mother_id
    LEFT JOIN x_migrant_person AS mp ON mp.person_id = mb.mother_id
    UNION ALL
    SELECT 'migrant_births', mb.report_id, COALESCE(wp.village_code, mp.village_code), 2,
           'reported_date', '通报日期', mb.reported_date
    FROM migrant_births AS mb
    LEFT JOIN x_women_person AS wp ON wp.person_id = mb.mother_id
    LEFT JOIN x_migrant_person AS mp ON mp.person_id = mb.mother_id
),
-- A person on the register twice may repeat the same date: list it once.
late AS (
    SELECT DISTINCT d.table_name, d.record, d.village_code, d.pos, d.column_en, d.column_zh,
           d.value, params.period_end
    FROM dates AS d
    CROSS JOIN audit_params AS params
    WHERE d.record IS NOT NULL AND d.value > params.period_end
)
SELECT
    table_name,
    record,
    village_code,
    CASE table_name
        WHEN 'women' THEN '育龄妇女花名册'
        WHEN 'births' THEN '出生登记'
        WHEN 'supply_issues' THEN '药具发放登记'
        WHEN 'procedures' THEN '四项手术登记'
        WHEN 'checkups' THEN '三查登记'
        WHEN 'migrants' THEN '流动人口登记'
        WHEN 'migrant_births' THEN '流动人口出生通报'
    END AS table_title_zh,
    string_agg(column_zh || ' ' || CAST(value AS VARCHAR), '，' ORDER BY pos, value) AS dates_zh,
    string_agg(column_en || ' ' || CAST(value AS VARCHAR), ', ' ORDER BY pos, value) AS dates_en,
    CAST(max(period_end) AS VARCHAR) AS period_end
FROM late
GROUP BY table_name, record, village_code
ORDER BY table_name, record, village_code
