-- postpartum-birth-missing (出生漏报): a procedure marked postpartum (done within 42 days after a
-- delivery) dated in the window W, with no births row of that woman (births.mother_id) dated
-- from 42 days before the procedure up to the procedure date.
-- village_code: the procedure's own, else the woman's register or floating-population village.
-- Detail columns: person, procedure_zh/_en, procedure_date, birth_from (procedure_date - 42).
SELECT
    pr.procedure_id AS record,
    COALESCE(pr.village_code, w.village_code, m.village_code) AS village_code,
    CONCAT_WS(' ', COALESCE(w.name, m.name), pr.person_id) AS person,
    COALESCE(lp.label_zh, pr.procedure, '手术') AS procedure_zh,
    COALESCE(lp.label_en, pr.procedure, 'procedure') AS procedure_en,
    pr.procedure_date,
    CAST(pr.procedure_date - INTERVAL 42 DAY AS DATE) AS birth_from
FROM procedures AS pr
CROSS JOIN audit_params AS params
LEFT JOIN x_women_person AS w ON w.person_id = pr.person_id
LEFT JOIN x_migrant_person AS m ON m.person_id = pr.person_id
LEFT JOIN x_code_labels AS lp ON lp.code_set = 'procedure' AND lp.code = pr.procedure
WHERE pr.postpartum = TRUE
    AND pr.person_id IS NOT NULL
    AND pr.procedure_date BETWEEN params.window_start AND params.period_end
    AND NOT EXISTS (
        SELECT 1
        FROM births AS b
        WHERE b.mother_id = pr.person_id
            AND date_diff('day', b.child_birth_date, pr.procedure_date) BETWEEN 0 AND 42
    )
ORDER BY record
