-- stock-vs-issues (药具账发出≠发放登记): a supply_stock row whose issued differs from the sum of
-- supply_issues.quantity dated in that month at that point for that item.
-- Months compared: the periods present in supply_stock, up to the audit period, that the
-- issues register covers: the months of the window W (from the month of the window start),
-- and any earlier month from the month of the register's earliest issue on (a register is
-- kept month by month, so it covers its first month). A stock month older than both is not
-- compared: the register of a submission need not reach back that far (widen with
-- --window-start).
-- An issues register without any dated issue (a missing or empty table, itself a
-- completeness matter) is not compared at all, so one missing file is not one finding per
-- stock row.
-- A (month, point, item) with issues but no stock row, in a month the stock book was kept
-- (the period has stock rows), is a finding on the missing row: record
-- "period|point_code|item", table supply_stock.
-- Empty cells: a stock row with an empty issued is not compared; a month, point and item
-- with an issue of empty quantity is not compared (its total is unknown); issues with an
-- empty date, point or item belong to no month and row.
-- Detail columns: period, point_code, item, item_zh/_en, issued (NULL for a missing row),
-- issues_total, issues_count, difference (issued − issues_total), book_zh/_en (what the
-- stock book says), diff_zh/_en (the difference, empty for a missing row).
WITH register AS (
    SELECT MIN(year(issue_date) * 12 + month(issue_date) - 1) AS first_month_key
    FROM supply_issues
),

months AS (
    SELECT DISTINCT
        s.period,
        s.month_key
    FROM rep_stock_rows AS s
    CROSS JOIN audit_params AS a
    CROSS JOIN register AS r
    WHERE
        r.first_month_key IS NOT NULL
        AND s.month_key <= year(a.period_end) * 12 + month(a.period_end) - 1
        AND (
            s.month_key >= year(a.window_start) * 12 + month(a.window_start) - 1
            OR s.month_key >= r.first_month_key
        )
),

issued AS (
    SELECT
        i.point_code,
        i.item,
        year(i.issue_date) * 12 + month(i.issue_date) - 1 AS month_key,
        SUM(CAST(i.quantity AS DECIMAL(38, 0))) AS issues_total,
        COUNT(*) AS issues_count,
        COUNT(i.quantity) AS known_count
    FROM supply_issues AS i
    WHERE i.point_code IS NOT NULL AND i.item IS NOT NULL AND i.issue_date IS NOT NULL
    GROUP BY i.point_code, i.item, year(i.issue_date) * 12 + month(i.issue_date) - 1
),

differs AS (
    SELECT
        s.record,
        s.village_code,
        s.period,
        s.point_code,
        s.item,
        s.item_zh,
        s.item_en,
        s.issued,
        COALESCE(i.issues_total, 0) AS issues_total,
        COALESCE(i.issues_count, 0) AS issues_count,
        s.issued - COALESCE(i.issues_total, 0) AS difference,
        '发出 ' || CAST(s.issued AS VARCHAR) AS book_zh,
        'issued ' || CAST(s.issued AS VARCHAR) AS book_en,
        '（差 ' || CAST(s.issued - COALESCE(i.issues_total, 0) AS VARCHAR) || '）' AS diff_zh,
        ' (difference ' || CAST(s.issued - COALESCE(i.issues_total, 0) AS VARCHAR) || ')'
            AS diff_en
    FROM rep_stock_rows AS s
    INNER JOIN months AS m ON s.month_key = m.month_key
    LEFT JOIN issued AS i
        ON s.point_code = i.point_code AND s.item = i.item AND s.month_key = i.month_key
    WHERE
        s.issued IS NOT NULL
        AND (i.known_count IS NULL OR i.known_count = i.issues_count)
        AND s.issued <> COALESCE(i.issues_total, 0)
),

missing AS (
    SELECT
        m.period || '|' || i.point_code || '|' || i.item AS record,
        CASE
            WHEN length(i.point_code) = 12 AND regexp_matches(i.point_code, '^[0-9]+$')
                THEN i.point_code
            ELSE a.township_code
        END AS village_code,
        m.period,
        i.point_code,
        i.item,
        COALESCE(li.label_zh, i.item) AS item_zh,
        COALESCE(li.label_en, i.item) AS item_en,
        CAST(NULL AS BIGINT) AS issued,
        COALESCE(i.issues_total, 0) AS issues_total,
        i.issues_count,
        -COALESCE(i.issues_total, 0) AS difference,
        '没有这一行' AS book_zh,
        'no row' AS book_en,
        '' AS diff_zh,
        '' AS diff_en
    FROM issued AS i
    INNER JOIN months AS m ON i.month_key = m.month_key
    CROSS JOIN audit_params AS a
    LEFT JOIN x_code_labels AS li ON li.code_set = 'item' AND i.item = li.code
    WHERE NOT EXISTS (
        SELECT 1
        FROM rep_stock_rows AS s
        WHERE s.point_code = i.point_code AND s.item = i.item AND s.month_key = i.month_key
    )
),

findings AS (
    SELECT * FROM differs
    UNION ALL
    SELECT * FROM missing
)

SELECT *
FROM findings
ORDER BY record
