-- birth-late-report (迟报): a birth entered in the register (reported_date) more than 30 days
-- after it happened: warning; reported before it happened: error (one of the dates is wrong).
-- Day 30 itself is in time.
-- Detail columns: mother_id, child_name, child_birth_date, reported_date, days (reported minus
-- born, negative when before), days_abs, problem_zh, problem_en.
SELECT
    b.birth_id AS record,
    b.village_code,
    CASE WHEN b.reported_date < b.child_birth_date THEN 'error' ELSE 'warning' END AS severity,
    b.mother_id,
    COALESCE(b.child_name, '') AS child_name,
    CAST(b.child_birth_date AS VARCHAR) AS child_birth_date,
    CAST(b.reported_date AS VARCHAR) AS reported_date,
    date_diff('day', b.child_birth_date, b.reported_date) AS days,
    abs(date_diff('day', b.child_birth_date, b.reported_date)) AS days_abs,
    CASE
        WHEN b.reported_date < b.child_birth_date
            THEN '上报日期 ' || CAST(b.reported_date AS VARCHAR) || ' 早于出生日期 '
                || CAST(abs(date_diff('day', b.child_birth_date, b.reported_date)) AS VARCHAR)
                || ' 天，请核实日期'
        ELSE '出生后 ' || CAST(date_diff('day', b.child_birth_date, b.reported_date) AS VARCHAR)
            || ' 天才上报（' || CAST(b.reported_date AS VARCHAR) || '），超过 30 天'
    END AS problem_zh,
    CASE
        WHEN b.reported_date < b.child_birth_date
            THEN 'reported on ' || CAST(b.reported_date AS VARCHAR) || ', '
                || CAST(abs(date_diff('day', b.child_birth_date, b.reported_date)) AS VARCHAR)
                || ' day(s) before the birth: one of the dates is wrong'
        ELSE 'reported on ' || CAST(b.reported_date AS VARCHAR) || ', '
            || CAST(date_diff('day', b.child_birth_date, b.reported_date) AS VARCHAR)
            || ' days after the birth (30 allowed)'
    END AS problem_en
FROM births AS b
WHERE b.birth_id IS NOT NULL
    AND b.child_birth_date IS NOT NULL
    AND b.reported_date IS NOT NULL
    AND (
        date_diff('day', b.child_birth_date, b.reported_date) > 30
        OR b.reported_date < b.child_birth_date
    )
ORDER BY record
