-- stock-balance (药具账表内不平): a supply_stock row whose opening + received − issued ≠ closing,
-- or whose amounts include a negative value. One finding per discrepancy: one for the
-- balance, one per negative amount (so a row that balances but goes below zero is reported
-- for the negative amount only).
-- Every row of the table is checked, whatever its period: the arithmetic holds for any month.
-- Empty amounts: the balance is checked only when all four amounts are known (an empty cell
-- cannot be balanced; an unreadable one is already a cell-invalid finding and is NULL here);
-- each known amount is still checked for a negative value.
-- Detail columns: period, point_code, item, item_zh/_en, column_name (closing for the balance,
-- else the negative column), rule_zh/_en (what should hold), found (the figures), difference.
WITH balance AS (
    SELECT
        s.record,
        s.village_code,
        s.period,
        s.point_code,
        s.item,
        s.item_zh,
        s.item_en,
        0 AS rule_pos,
        'closing' AS column_name,
        '期初 + 收入 − 发出 = 期末' AS rule_zh,
        'opening + received − issued = closing' AS rule_en,
        CAST(s.opening AS VARCHAR) || ' + ' || CAST(s.received AS VARCHAR) || ' − '
        || CAST(s.issued AS VARCHAR) || ' = '
        || CAST(s.opening + s.received - s.issued AS VARCHAR) || ' ≠ '
        || CAST(s.closing AS VARCHAR) AS found,
        s.closing - (s.opening + s.received - s.issued) AS difference
    FROM rep_stock_rows AS s
    WHERE
        s.opening IS NOT NULL
        AND s.received IS NOT NULL
        AND s.issued IS NOT NULL
        AND s.closing IS NOT NULL
        AND s.opening + s.received - s.issued <> s.closing
),

amounts AS (
    SELECT
        s.record,
        s.village_code,
        s.period,
        s.point_code,
        s.item,
        s.item_zh,
        s.item_en,
        c.rule_pos,
        c.column_name,
        c.label_zh,
        CASE c.column_name
            WHEN 'opening' THEN s.opening
            WHEN 'received' THEN s.received
            WHEN 'issued' THEN s.issued
            WHEN 'closing' THEN s.closing
        END AS amount
    FROM rep_stock_rows AS s
    CROSS JOIN (
        VALUES
            (1, 'opening', '期初'),
            (2, 'received', '收入'),
            (3, 'issued', '发出'),
            (4, 'closing', '期末')
    ) AS c (rule_pos, column_name, label_zh)
),

negative AS (
    SELECT
        record,
        village_code,
        period,
        point_code,
        item,
        item_zh,
        item_en,
        rule_pos,
        column_name,
        label_zh || ' ≥ 0' AS rule_zh,
        column_name || ' ≥ 0' AS rule_en,
        CAST(amount AS VARCHAR) AS found,
        amount AS difference
    FROM amounts
    WHERE amount < 0
),

findings AS (
    SELECT * FROM balance
    UNION ALL
    SELECT * FROM negative
)

SELECT
    record,
    village_code,
    period,
    point_code,
    item,
    item_zh,
    item_en,
    column_name,
    rule_zh,
    rule_en,
    found,
    difference
FROM findings
ORDER BY record, rule_pos
