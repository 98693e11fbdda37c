-- short-method-no-supply (药具虚报): a resident woman (residence = resident) whose method is
-- oral_pill, injection or condom received no supply_issues row of that item (item = method)
-- dated in the last 92 days (recent_start..period_end).
-- One finding per register row (women person_id). Detail columns: person, method_zh/_en,
-- item_zh/_en, recent_start, period_end, last_issue_zh/_en (her latest issue of the item).
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    CONCAT_WS(' ', w.name, w.person_id) AS person,
    lm.label_zh AS method_zh,
    lm.label_en AS method_en,
    li.label_zh AS item_zh,
    li.label_en AS item_en,
    params.recent_start,
    params.period_end,
    COALESCE(CAST(issued.last_issue AS VARCHAR), '从未领取') AS last_issue_zh,
    COALESCE(CAST(issued.last_issue AS VARCHAR), 'never') AS last_issue_en
FROM women AS w
CROSS JOIN audit_params AS params
INNER JOIN x_code_labels AS lm ON lm.code_set = 'method' AND lm.code = w.method
INNER JOIN x_code_labels AS li ON li.code_set = 'item' AND li.code = w.method
LEFT JOIN (
    SELECT s.person_id, s.item, max(s.issue_date) AS last_issue
    FROM supply_issues AS s
    CROSS JOIN audit_params AS p
    WHERE s.issue_date <= p.period_end
    GROUP BY s.person_id, s.item
) AS issued ON issued.person_id = w.person_id AND issued.item = w.method
WHERE w.residence = 'resident'
    AND w.method IN ('oral_pill', 'injection', 'condom')
    AND w.person_id IS NOT NULL
    AND (issued.last_issue IS NULL OR issued.last_issue < params.recent_start)
ORDER BY record, w.village_code, method_en
