-- sex-ratio (出生性别比): per village (births.village_code) and for the whole township, the
-- births of the window W (window_start..period_end) with child_sex M or F. With n births of
-- which b boys, the male share p = b/n gets its 95% Wilson score interval
--     (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  z = 1.959963984540054;
-- the unit is a finding when that interval lies wholly outside the normal band of sex ratios
-- 103-107 boys per 100 girls, i.e. p in [103/203, 107/207]. Wilson rather than the plain
-- normal interval because villages have few births; it stays inside [0, 1] and is sound at
-- p = 0 or 1. Severity info when the unit has fewer than 20 births (too few to act on).
-- record and village_code: the village code; for the township row the township code of the
-- audit (audit_params), else the villages' 9-digit prefix + '000'.
-- Detail columns: level, unit_zh, unit_en, births, boys, girls, ratio, ratio_low, ratio_high,
-- direction_zh, direction_en, note_zh, note_en, window_start, period_end. Ratios are unrounded
-- doubles (infinity when there are no girls): the message template rounds them with `:.1f`,
-- which the engine does with the one rounding function of every report (audit.core.numbers).
WITH in_window AS (
    SELECT b.village_code, b.child_sex
    FROM births AS b
    CROSS JOIN audit_params AS params
    WHERE b.child_birth_date BETWEEN params.window_start AND params.period_end
        AND b.child_sex IN ('M', 'F')
),
units AS (
    SELECT
        'village' AS level,
        village_code AS unit_code,
        sum(CASE WHEN child_sex = 'M' THEN 1 ELSE 0 END) AS boys,
        sum(CASE WHEN child_sex = 'F' THEN 1 ELSE 0 END) AS girls
    FROM in_window
    WHERE village_code IS NOT NULL
    GROUP BY village_code
    UNION ALL
    SELECT
        'township',
        COALESCE(max(params.township_code), substr(min(w.village_code), 1, 9) || '000'),
        sum(CASE WHEN w.child_sex = 'M' THEN 1 ELSE 0 END),
        sum(CASE WHEN w.child_sex = 'F' THEN 1 ELSE 0 END)
    FROM in_window AS w
    CROSS JOIN audit_params AS params
    HAVING count(*) > 0
),
shares AS (
    SELECT
        level,
        unit_code,
        boys,
        girls,
        boys + girls AS births,
        CAST(boys + girls AS DOUBLE) AS n,
        CAST(boys AS DOUBLE) / CAST(boys + girls AS DOUBLE) AS p
    FROM units
),
wilson AS (
    SELECT
        shares.*,
        (p + 3.841458820694124 / (2 * n)) / (1 + 3.841458820694124 / n)
            - 1.959963984540054 * sqrt(p * (1 - p) / n + 3.841458820694124 / (4 * n * n))
            / (1 + 3.841458820694124 / n) AS p_low,
        (p + 3.841458820694124 / (2 * n)) / (1 + 3.841458820694124 / n)
            + 1.959963984540054 * sqrt(p * (1 - p) / n + 3.841458820694124 / (4 * n * n))
            / (1 + 3.841458820694124 / n) AS p_high
    FROM shares
),
flagged AS (
    SELECT
        wilson.*,
        CASE WHEN p_low > 107.0 / 207.0 THEN 'high' ELSE 'low' END AS direction,
        CASE WHEN girls = 0 THEN CAST('Infinity' AS DOUBLE)
            ELSE 100 * CAST(boys AS DOUBLE) / girls
        END AS ratio,
        -- p_low of a unit without boys is 0 up to rounding: never show "-0.0".
        CASE WHEN boys = 0 THEN 0.0
            ELSE 100 * p_low / (1 - p_low)
        END AS ratio_low,
        CASE WHEN p_high >= 0.9999999 THEN CAST('Infinity' AS DOUBLE)
            ELSE 100 * p_high / (1 - p_high)
        END AS ratio_high
    FROM wilson
    WHERE p_high < 103.0 / 203.0 OR p_low > 107.0 / 207.0
)
SELECT
    f.unit_code AS record,
    f.unit_code AS village_code,
    CASE WHEN f.births < 20 THEN 'info' ELSE 'warning' END AS severity,
    f.level,
    CASE f.level WHEN 'village' THEN '村' ELSE '乡镇' END AS unit_zh,
    CASE f.level WHEN 'village' THEN 'village' ELSE 'township' END AS unit_en,
    f.births,
    f.boys,
    f.girls,
    f.ratio,
    f.ratio_low,
    f.ratio_high,
    CASE f.direction WHEN 'high' THEN '高于' ELSE '低于' END AS direction_zh,
    CASE f.direction WHEN 'high' THEN 'above' ELSE 'below' END AS direction_en,
    CASE WHEN f.births < 20 THEN '（出生不足 20 人，仅供参考）' ELSE '' END AS note_zh,
    CASE WHEN f.births < 20 THEN ' (fewer than 20 births: for information)' ELSE '' END
        AS note_en,
    CAST(params.window_start AS VARCHAR) AS window_start,
    CAST(params.period_end AS VARCHAR) AS period_end
FROM flagged AS f
CROSS JOIN audit_params AS params
ORDER BY CASE f.level WHEN 'village' THEN 0 ELSE 1 END, record
