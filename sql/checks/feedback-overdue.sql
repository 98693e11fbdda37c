-- feedback-overdue (孕检反馈): an open out row (direction out, return_date empty) of a married
-- woman — married or remarried per the migrants row, or per the women's register when the row's
-- marital_status is empty — with no last_feedback_date in the last 92 days (empty, or before
-- recent_start).
-- village_code: the row's home village, else her register village.
-- Detail columns: person, recent_start, last_feedback_date, last_feedback_zh/_en.
SELECT
    om.migrant_id AS record,
    COALESCE(om.village_code, w.village_code) AS village_code,
    CONCAT_WS(' ', COALESCE(w.name, om.name), om.person_id) AS person,
    params.recent_start,
    om.last_feedback_date,
    COALESCE('最近一次反馈为 ' || CAST(om.last_feedback_date AS VARCHAR), '从未收到反馈')
        AS last_feedback_zh,
    COALESCE('last received ' || CAST(om.last_feedback_date AS VARCHAR), 'none ever received')
        AS last_feedback_en
FROM x_open_migrants AS om
CROSS JOIN audit_params AS params
LEFT JOIN x_women_person AS w ON w.person_id = om.person_id
WHERE om.direction = 'out'
    AND COALESCE(om.marital_status, w.marital_status) IN ('married', 'remarried')
    AND (om.last_feedback_date IS NULL OR om.last_feedback_date < params.recent_start)
ORDER BY record
