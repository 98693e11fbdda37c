-- trend-outlier (与本村历史不符): a village's count this month far from its own recent past.
-- For each village and measure of trend_series with at least 6 of the previous 12 months:
--   expected = the median of those months;
--   spread   = 1.4826 · MAD (median absolute deviation: the standard deviation of a normal
--              series, robust to one odd month), floored at √max(expected, 1) — the natural
--              month-to-month variation of a count (Poisson) — so a series that never moved
--              (MAD 0) or a small count (0 → 1 birth) is not an alarm;
--   z        = (value − expected) / spread, the modified z-score (Iglewicz & Hoaglin).
-- A finding when |z| > 3.5 and the value is at least 3 away from expected.
-- Without 6 earlier months (a first month, a new village) the rule has nothing to compare.
-- Detail columns: period, unit_code, measure, measure_zh, value, expected, spread, z, months,
-- first_period, last_period.
WITH cur AS (
    SELECT s.*
    FROM trend_series AS s
    INNER JOIN audit_params AS a ON s.period = a.period
),

past AS (
    SELECT c.unit_code, c.measure, p.period, p.value
    FROM cur AS c
    INNER JOIN trend_series AS p
        ON p.unit_code = c.unit_code
        AND p.measure = c.measure
        AND p.month_index BETWEEN c.month_index - 12 AND c.month_index - 1
),

centre AS (
    SELECT
        unit_code,
        measure,
        median(value) AS expected,
        count(*) AS months,
        min(period) AS first_period,
        max(period) AS last_period
    FROM past
    GROUP BY unit_code, measure
    HAVING count(*) >= 6
),

spread AS (
    SELECT
        p.unit_code,
        p.measure,
        greatest(
            1.4826 * median(abs(p.value - c.expected)), sqrt(greatest(c.expected, 1))
        ) AS spread
    FROM past AS p
    INNER JOIN centre AS c ON p.unit_code = c.unit_code AND p.measure = c.measure
    GROUP BY p.unit_code, p.measure, c.expected
),

scored AS (
    SELECT
        cur.period,
        cur.unit_code,
        cur.measure,
        cur.measure_zh,
        cur.value,
        c.expected,
        s.spread,
        (cur.value - c.expected) / s.spread AS z,
        c.months,
        c.first_period,
        c.last_period
    FROM cur
    INNER JOIN centre AS c ON cur.unit_code = c.unit_code AND cur.measure = c.measure
    INNER JOIN spread AS s ON cur.unit_code = s.unit_code AND cur.measure = s.measure
)

SELECT
    period || '|village|' || unit_code AS record,
    unit_code AS village_code,
    period,
    unit_code,
    measure,
    measure_zh,
    value,
    round(expected, 1) AS expected,
    round(spread, 1) AS spread,
    round(z, 1) AS z,
    months,
    first_period,
    last_period
FROM scored
WHERE abs(z) > 3.5 AND abs(value - expected) >= 3
ORDER BY record, measure
