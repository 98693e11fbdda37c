-- procedure-unregistered: a procedure (四项手术) or checkup (三查) dated in the window W for a
-- person_id found neither on the women's register nor anywhere in the floating-population
-- register (any migrants row). Rows without a person_id are left to the ID checks.
-- table_name: procedures or checkups. Detail columns: person_id, event_date, what_zh/_en.
SELECT
    event.record,
    event.table_name,
    event.village_code,
    event.person_id,
    event.event_date,
    event.what_zh,
    event.what_en
FROM (
    SELECT
        pr.procedure_id AS record,
        'procedures' AS table_name,
        pr.village_code,
        pr.person_id,
        pr.procedure_date AS event_date,
        COALESCE(lp.label_zh, pr.procedure, '手术') || '手术' AS what_zh,
        COALESCE(lp.label_en, pr.procedure, 'procedure') AS what_en
    FROM procedures AS pr
    LEFT JOIN x_code_labels AS lp ON lp.code_set = 'procedure' AND lp.code = pr.procedure
    UNION ALL
    SELECT
        c.checkup_id AS record,
        'checkups' AS table_name,
        c.village_code,
        c.person_id,
        c.checkup_date AS event_date,
        '三查' AS what_zh,
        'checkup' AS what_en
    FROM checkups AS c
) AS event
CROSS JOIN audit_params AS params
WHERE event.person_id IS NOT NULL
    AND event.event_date BETWEEN params.window_start AND params.period_end
    AND NOT EXISTS (SELECT 1 FROM women AS w WHERE w.person_id = event.person_id)
    AND NOT EXISTS (SELECT 1 FROM migrants AS m WHERE m.person_id = event.person_id)
ORDER BY event.record, event.table_name
