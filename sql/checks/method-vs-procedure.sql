-- method-vs-procedure (措施错报): the latest long-acting procedure on file (x_latest_long_acting)
-- disagrees with women.method: an insertion or sterilisation implies its method (iud_insert→iud,
-- tubal_ligation→tubal_ligation, vasectomy→vasectomy, implant_insert→implant), a removal
-- (iud_remove, implant_remove) rules out the method it removed. Abortion and induced labour are
-- not long-acting and never count as the latest procedure.
-- One finding per register row (women person_id). Detail columns: person, method_zh/_en,
-- procedure_id, procedure_zh/_en, procedure_date.
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    CONCAT_WS(' ', w.name, w.person_id) AS person,
    COALESCE(lm.label_zh, w.method, '空白') AS method_zh,
    COALESCE(lm.label_en, w.method, 'blank') AS method_en,
    latest.procedure_id,
    lp.label_zh AS procedure_zh,
    lp.label_en AS procedure_en,
    latest.procedure_date
FROM women AS w
INNER JOIN x_latest_long_acting AS latest ON latest.person_id = w.person_id
INNER JOIN x_code_labels AS lp ON lp.code_set = 'procedure' AND lp.code = latest.procedure
LEFT JOIN x_code_labels AS lm ON lm.code_set = 'method' AND lm.code = w.method
WHERE (latest.method_implied IS NOT NULL AND w.method IS DISTINCT FROM latest.method_implied)
    OR (latest.method_removed IS NOT NULL AND w.method = latest.method_removed)
ORDER BY record, w.village_code, method_en
