-- method-unsupported (措施虚报): women.method is long-acting with method_date in the window W,
-- but no matching procedure (iud→iud_insert, tubal_ligation→tubal_ligation,
-- vasectomy→vasectomy, implant→implant_insert) of hers is dated within ±30 days of method_date.
-- One finding per register row (women person_id). Detail columns: person, method_zh/_en,
-- method_date, procedure_zh/_en (the procedure that should be on file).
WITH claimed AS (
    SELECT DISTINCT
        w.person_id,
        w.village_code,
        w.name,
        w.method,
        w.method_date,
        CASE w.method
            WHEN 'iud' THEN 'iud_insert'
            WHEN 'implant' THEN 'implant_insert'
            ELSE w.method
        END AS procedure_needed
    FROM women AS w
    CROSS JOIN audit_params AS params
    WHERE w.method IN ('iud', 'tubal_ligation', 'vasectomy', 'implant')
        AND w.person_id IS NOT NULL
        AND w.method_date BETWEEN params.window_start AND params.period_end
)
SELECT
    claimed.person_id AS record,
    claimed.village_code,
    CONCAT_WS(' ', claimed.name, claimed.person_id) AS person,
    lm.label_zh AS method_zh,
    lm.label_en AS method_en,
    claimed.method_date,
    lp.label_zh AS procedure_zh,
    lp.label_en AS procedure_en
FROM claimed
INNER JOIN x_code_labels AS lm ON lm.code_set = 'method' AND lm.code = claimed.method
INNER JOIN x_code_labels AS lp ON lp.code_set = 'procedure' AND lp.code = claimed.procedure_needed
WHERE NOT EXISTS (
    SELECT 1
    FROM procedures AS pr
    WHERE pr.person_id = claimed.person_id
        AND pr.procedure = claimed.procedure_needed
        AND ABS(date_diff('day', claimed.method_date, pr.procedure_date)) <= 30
)
ORDER BY record, claimed.village_code, claimed.method_date, method_en
