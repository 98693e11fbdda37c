-- stock-carry (上月期末≠本月期初): for the same point and item, the closing of a month differs
-- from the opening of the next month. Every pair of calendar-consecutive months present in
-- supply_stock is compared (not only the audit period); the finding is on the later
-- month's row, where the opening is written. A point and item with a month missing in
-- between is not compared across the gap. Empty amounts are not compared.
-- Detail columns: period, prev_period, point_code, item, item_zh/_en, opening,
-- prev_closing, difference (opening − previous closing).
SELECT
    cur.record,
    cur.village_code,
    cur.period,
    prev.period AS prev_period,
    cur.point_code,
    cur.item,
    cur.item_zh,
    cur.item_en,
    cur.opening,
    prev.closing AS prev_closing,
    cur.opening - prev.closing AS difference
FROM rep_stock_rows AS cur
INNER JOIN rep_stock_rows AS prev
    ON
        cur.point_code = prev.point_code
        AND cur.item = prev.item
        AND cur.month_key - 1 = prev.month_key
WHERE
    cur.opening IS NOT NULL
    AND prev.closing IS NOT NULL
    AND cur.opening <> prev.closing
ORDER BY cur.record, prev_closing
