-- rep_stock_rows: supply_stock (药具明细账) rows with a complete key, for the stock checks.
-- Rows with an empty period, point_code or item are left out (the loader reports them as
-- key-missing; their record cannot be named). Columns:
--   period, point_code, item   as in supply_stock
--   opening, received, issued, closing   as in supply_stock, as DECIMAL(38, 0) so that the
--                  balance of any amounts (even BIGINT's largest) is computed without overflow
--   record         "period|point_code|item", the finding record of the row
--   village_code   where a finding is sent: the point_code when it is a 12-digit division
--                  code (a village, or the township's own station), else the township code
--   item_zh, item_en   the item's display name (x_code_labels)
--   month_key      year * 12 + month - 1 of period: consecutive months differ by 1
CREATE OR REPLACE VIEW rep_stock_rows AS
SELECT
    s.period,
    s.point_code,
    s.item,
    CAST(s.opening AS DECIMAL(38, 0)) AS opening,
    CAST(s.received AS DECIMAL(38, 0)) AS received,
    CAST(s.issued AS DECIMAL(38, 0)) AS issued,
    CAST(s.closing AS DECIMAL(38, 0)) AS closing,
    s.period || '|' || s.point_code || '|' || s.item AS record,
    CASE
        WHEN length(s.point_code) = 12 AND regexp_matches(s.point_code, '^[0-9]+$') THEN s.point_code
        ELSE a.township_code
    END AS village_code,
    COALESCE(li.label_zh, s.item) AS item_zh,
    COALESCE(li.label_en, s.item) AS item_en,
    CAST(substr(s.period, 1, 4) AS INTEGER) * 12 + CAST(substr(s.period, 6, 2) AS INTEGER) - 1
        AS month_key
FROM supply_stock AS s
CROSS JOIN audit_params AS a
LEFT JOIN x_code_labels AS li ON li.code_set = 'item' AND s.item = li.code
WHERE s.period IS NOT NULL AND s.point_code IS NOT NULL AND s.item IS NOT NULL
