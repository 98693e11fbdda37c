-- x_open_migrant_register: each open floating-population row (x_open_migrants) whose woman is
-- not on the women's register with the residence its direction implies (out row → residence
-- out, in row → residence in), whether the register gives another residence or lacks her.
-- Used by migrant-status (out rows) and inmigrant-unregistered (in rows).
-- Columns: record (migrant_id), direction, village_code (the row's village, else her register
-- village), person, since_zh/_en (move_date wording, empty when unknown), register_zh/_en.
CREATE OR REPLACE VIEW x_open_migrant_register AS
SELECT
    om.migrant_id AS record,
    om.direction,
    COALESCE(om.village_code, w.village_code) AS village_code,
    CONCAT_WS(' ', COALESCE(w.name, om.name), om.person_id) AS person,
    COALESCE('自 ' || CAST(om.move_date AS VARCHAR) || ' 起', '') AS since_zh,
    COALESCE(' since ' || CAST(om.move_date AS VARCHAR), '') AS since_en,
    CASE
        WHEN w.person_id IS NULL THEN '育龄妇女花名册中没有她'
        ELSE '花名册居住状态为' || COALESCE(lr.label_zh, w.residence, '空白')
    END AS register_zh,
    CASE
        WHEN w.person_id IS NULL THEN 'she is not on the women''s register'
        ELSE 'the women''s register says ' || COALESCE(lr.label_en, w.residence, 'blank')
    END AS register_en
FROM x_open_migrants AS om
LEFT JOIN x_women_person AS w ON w.person_id = om.person_id
LEFT JOIN x_code_labels AS lr ON lr.code_set = 'residence' AND lr.code = w.residence
WHERE om.direction IN ('out', 'in')
    AND NOT EXISTS (
        SELECT 1
        FROM women AS wo
        WHERE wo.person_id = om.person_id
            AND wo.residence = om.direction
    )
