-- marriage-fields: marital status and marriage date contradict each other: married (初婚) or
-- remarried (再婚) without a marriage_date, or single (未婚) with one. Divorced and widowed
-- women may or may not keep the date of their last marriage: no rule.
-- Detail columns: name, marital_status, status_zh, status_en, problem_zh, problem_en.
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    COALESCE(w.name, '') AS name,
    w.marital_status,
    COALESCE(l.label_zh, w.marital_status) AS status_zh,
    COALESCE(l.label_en, w.marital_status) AS status_en,
    CASE
        WHEN w.marital_status = 'single'
            THEN '但填有结婚日期 ' || CAST(w.marriage_date AS VARCHAR)
        ELSE '但未填结婚日期'
    END AS problem_zh,
    CASE
        WHEN w.marital_status = 'single'
            THEN 'but has a marriage date ' || CAST(w.marriage_date AS VARCHAR)
        ELSE 'but no marriage date'
    END AS problem_en
FROM women AS w
LEFT JOIN x_code_labels AS l
    ON l.code_set = 'marital_status' AND l.code = w.marital_status
WHERE w.person_id IS NOT NULL
    AND (
        (w.marital_status IN ('married', 'remarried') AND w.marriage_date IS NULL)
        OR (w.marital_status = 'single' AND w.marriage_date IS NOT NULL)
    )
ORDER BY record, village_code
