-- supply-unregistered: a supply issue dated in the window W to a person_id found neither on
-- the women's register nor among the floating population's in-migrants (any direction = 'in'
-- row, open or closed). Issues without a person_id are left to the ID checks.
-- Detail columns: person_id, issue_date, quantity, item_zh/_en.
SELECT
    s.issue_id AS record,
    s.village_code,
    s.person_id,
    s.issue_date,
    COALESCE(CAST(s.quantity AS VARCHAR), '?') AS quantity,
    COALESCE(li.label_zh, s.item, '药具') AS item_zh,
    COALESCE(li.label_en, s.item, 'supplies') AS item_en
FROM supply_issues AS s
CROSS JOIN audit_params AS params
LEFT JOIN x_code_labels AS li ON li.code_set = 'item' AND li.code = s.item
WHERE s.person_id IS NOT NULL
    AND s.issue_date BETWEEN params.window_start AND params.period_end
    AND NOT EXISTS (SELECT 1 FROM women AS w WHERE w.person_id = s.person_id)
    AND NOT EXISTS (
        SELECT 1
        FROM migrants AS m
        WHERE m.person_id = s.person_id
            AND m.direction = 'in'
    )
ORDER BY record
