-- trend-year-to-date (本年累计与往年不符): the WHO Data Quality Review's consistency over time.
-- For the flow measures of trend_series (births and the four operations, 四项手术), a village's
-- total of this statistical year so far (October up to the audit month) against the average
-- of the same months of the previous statistical years (up to three). A year counts only when
-- every one of its months is in the series, this year included, so a missing month never
-- looks like a drop. A finding when the ratio is outside ±33 % (below 0.67 or above 1.33) and
-- the totals differ by at least 5 (a village with 2 births a year is not an alarm at 3).
-- Detail columns: period, unit_code, measure, measure_zh, value (this year so far), expected (the
-- average), ratio, years, months.
WITH cur AS (
    SELECT DISTINCT s.period, s.month_index, s.stat_year, s.month_of_year
    FROM trend_series AS s
    INNER JOIN audit_params AS a ON s.period = a.period
),

flows AS (
    SELECT s.*
    FROM trend_series AS s
    WHERE s.measure IN (
        'births_total', 'proc_iud_insert', 'proc_iud_remove', 'proc_ligation', 'proc_abortion'
    )
),

year_totals AS (
    SELECT
        f.unit_code,
        f.measure,
        f.measure_zh,
        f.stat_year,
        sum(f.value) AS total,
        count(*) AS months
    FROM flows AS f
    CROSS JOIN cur
    WHERE f.month_of_year <= cur.month_of_year
        AND f.stat_year BETWEEN cur.stat_year - 3 AND cur.stat_year
    GROUP BY f.unit_code, f.measure, f.measure_zh, f.stat_year
),

compared AS (
    SELECT
        t.unit_code,
        t.measure,
        t.measure_zh,
        t.total AS value,
        avg(p.total) AS expected,
        count(p.stat_year) AS years,
        t.months
    FROM year_totals AS t
    CROSS JOIN cur
    INNER JOIN year_totals AS p
        ON p.unit_code = t.unit_code
        AND p.measure = t.measure
        AND p.stat_year < t.stat_year
        AND p.months = cur.month_of_year
    WHERE t.stat_year = cur.stat_year AND t.months = cur.month_of_year
    GROUP BY t.unit_code, t.measure, t.measure_zh, t.total, t.months
)

SELECT
    cur.period || '|village|' || c.unit_code AS record,
    c.unit_code AS village_code,
    cur.period,
    c.unit_code,
    c.measure,
    c.measure_zh,
    c.value,
    round(c.expected, 1) AS expected,
    CASE WHEN c.expected > 0 THEN round(c.value / c.expected, 2) END AS ratio,
    c.years,
    c.months
FROM compared AS c
CROSS JOIN cur
WHERE abs(c.value - c.expected) >= 5
    AND (c.value < 0.67 * c.expected OR c.value > 1.33 * c.expected)
ORDER BY record, c.measure
