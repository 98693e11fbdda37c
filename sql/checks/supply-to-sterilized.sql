-- supply-to-sterilized: a supply issue dated in the window W to a woman whose register method
-- is tubal_ligation or vasectomy (she, or her husband, is sterilised: 已绝育仍发放药具).
-- village_code: the issue's own, else her register village.
-- Detail columns: person, issue_date, quantity, item_zh/_en, method_zh/_en,
-- method_since_zh/_en (method_date wording, empty when the register has no date).
SELECT
    s.issue_id AS record,
    COALESCE(s.village_code, w.village_code) AS village_code,
    CONCAT_WS(' ', w.name, s.person_id) AS person,
    s.issue_date,
    COALESCE(CAST(s.quantity AS VARCHAR), '?') AS quantity,
    COALESCE(li.label_zh, s.item, '药具') AS item_zh,
    COALESCE(li.label_en, s.item, 'supplies') AS item_en,
    lm.label_zh AS method_zh,
    lm.label_en AS method_en,
    COALESCE('（' || CAST(w.method_date AS VARCHAR) || '起）', '') AS method_since_zh,
    COALESCE(' since ' || CAST(w.method_date AS VARCHAR), '') AS method_since_en
FROM supply_issues AS s
CROSS JOIN audit_params AS params
INNER JOIN (
    -- one row per sterilised woman (a person on the register twice: the earliest method date)
    SELECT
        chosen.person_id,
        chosen.first_row.n AS name,
        chosen.first_row.v AS village_code,
        chosen.first_row.m AS method,
        chosen.first_row.mt AS method_date
    FROM (
        SELECT
            women.person_id,
            min(
                struct_pack(
                    mt := women.method_date, m := women.method, v := women.village_code,
                    n := women.name
                )
            ) AS first_row
        FROM women
        WHERE women.method IN ('tubal_ligation', 'vasectomy')
        GROUP BY women.person_id
    ) AS chosen
) AS w ON w.person_id = s.person_id
INNER JOIN x_code_labels AS lm ON lm.code_set = 'method' AND lm.code = w.method
LEFT JOIN x_code_labels AS li ON li.code_set = 'item' AND li.code = s.item
WHERE s.issue_date BETWEEN params.window_start AND params.period_end
ORDER BY record
