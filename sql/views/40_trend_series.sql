-- trend_series: the monthly report series of every village, long (one row per period, village
-- and measure), for the consistency-over-time rules (trend-*). Village rows of stat_reports of
-- any period (the submission may carry earlier months) and, for periods the submission does
-- not carry, the rows the history recorded (report_history, loaded before the checks run).
-- Measures: births, users by method, the four operations (四项手术) and out-migrant women.
-- Columns: period, unit_code (village code), measure, value, month_index (year·12 + month),
-- stat_year (the statistical year 统计年度 by its last calendar year: October 2025 → 2026),
-- month_of_year (October = 1 … September = 12), measure_zh (the report's Chinese heading).
CREATE OR REPLACE VIEW trend_series AS
WITH measures AS (
    SELECT measure FROM (
        VALUES
        ('births_total'), ('users_iud'), ('users_tubal_ligation'), ('users_vasectomy'),
        ('users_implant'), ('users_oral_pill'), ('users_injection'), ('users_condom'),
        ('users_other'), ('proc_iud_insert'), ('proc_iud_remove'), ('proc_ligation'),
        ('proc_abortion'), ('out_migrant_women')
    ) AS m (measure)
),

submitted AS (
    SELECT
        r.period,
        r.unit_code,
        m.measure,
        max(
            CASE m.measure
                WHEN 'births_total' THEN r.births_total
                WHEN 'users_iud' THEN r.users_iud
                WHEN 'users_tubal_ligation' THEN r.users_tubal_ligation
                WHEN 'users_vasectomy' THEN r.users_vasectomy
                WHEN 'users_implant' THEN r.users_implant
                WHEN 'users_oral_pill' THEN r.users_oral_pill
                WHEN 'users_injection' THEN r.users_injection
                WHEN 'users_condom' THEN r.users_condom
                WHEN 'users_other' THEN r.users_other
                WHEN 'proc_iud_insert' THEN r.proc_iud_insert
                WHEN 'proc_iud_remove' THEN r.proc_iud_remove
                WHEN 'proc_ligation' THEN r.proc_ligation
                WHEN 'proc_abortion' THEN r.proc_abortion
                WHEN 'out_migrant_women' THEN r.out_migrant_women
            END
        ) AS value
    FROM stat_reports AS r
    CROSS JOIN measures AS m
    WHERE r.level = 'village' AND r.unit_code IS NOT NULL AND length(r.period) = 7
    GROUP BY r.period, r.unit_code, m.measure
),

recorded AS (
    SELECT h.period, h.unit_code, h.measure, max(h.value) AS value
    FROM report_history AS h
    INNER JOIN measures AS m ON h.measure = m.measure
    WHERE h.level = 'village'
        AND NOT EXISTS (
            SELECT 1 FROM stat_reports AS r
            WHERE r.period = h.period AND r.level = 'village' AND r.unit_code = h.unit_code
        )
    GROUP BY h.period, h.unit_code, h.measure
),

series AS (
    SELECT * FROM submitted
    UNION ALL
    SELECT * FROM recorded
)

SELECT
    s.period,
    s.unit_code,
    s.measure,
    s.value,
    CAST(substr(s.period, 1, 4) AS INTEGER) * 12 + CAST(substr(s.period, 6, 2) AS INTEGER)
        AS month_index,
    CAST(substr(s.period, 1, 4) AS INTEGER)
    + CASE WHEN CAST(substr(s.period, 6, 2) AS INTEGER) >= 10 THEN 1 ELSE 0 END AS stat_year,
    (CAST(substr(s.period, 6, 2) AS INTEGER) + 2) % 12 + 1 AS month_of_year,
    CASE s.measure
        WHEN 'births_total' THEN '出生数'
        WHEN 'users_iud' THEN '上环人数'
        WHEN 'users_tubal_ligation' THEN '女扎人数'
        WHEN 'users_vasectomy' THEN '男扎人数'
        WHEN 'users_implant' THEN '皮埋人数'
        WHEN 'users_oral_pill' THEN '口服药人数'
        WHEN 'users_injection' THEN '注射针人数'
        WHEN 'users_condom' THEN '避孕套人数'
        WHEN 'users_other' THEN '其他措施人数'
        WHEN 'proc_iud_insert' THEN '放环例数'
        WHEN 'proc_iud_remove' THEN '取环例数'
        WHEN 'proc_ligation' THEN '结扎例数'
        WHEN 'proc_abortion' THEN '人流例数'
        WHEN 'out_migrant_women' THEN '流出育龄妇女数'
    END AS measure_zh
FROM series AS s
WHERE s.value IS NOT NULL
