-- pregnancy-fields: a woman recorded pregnant (孕情) without a pregnancy_date, or pregnant since
-- a date after her tubal ligation / her husband's vasectomy became her method (method_date
-- before pregnancy_date). A sterilisation without a method_date is not judged here.
-- Detail columns: name, problem_zh, problem_en.
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    COALESCE(w.name, '') AS name,
    CASE
        WHEN w.pregnancy_date IS NULL THEN '登记为怀孕，但未填孕情日期'
        ELSE '孕情日期为 ' || CAST(w.pregnancy_date AS VARCHAR) || '，但其避孕方法'
            || COALESCE(l.label_zh, w.method) || '的措施日期 '
            || CAST(w.method_date AS VARCHAR) || ' 在此之前'
    END AS problem_zh,
    CASE
        WHEN w.pregnancy_date IS NULL THEN 'is recorded pregnant but has no pregnancy date'
        ELSE 'is recorded pregnant since ' || CAST(w.pregnancy_date AS VARCHAR)
            || ', yet her method ' || COALESCE(l.label_en, w.method) || ' dates from '
            || CAST(w.method_date AS VARCHAR) || ', before that'
    END AS problem_en
FROM women AS w
LEFT JOIN x_code_labels AS l ON l.code_set = 'method' AND l.code = w.method
WHERE w.person_id IS NOT NULL
    AND w.pregnant
    AND (
        w.pregnancy_date IS NULL
        OR (
            w.method IN ('tubal_ligation', 'vasectomy')
            AND w.method_date < w.pregnancy_date
        )
    )
ORDER BY record, village_code
