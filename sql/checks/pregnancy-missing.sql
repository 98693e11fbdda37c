-- pregnancy-missing (孕情漏报): a checkup found the woman pregnant in the last 92 days
-- (recent_start..period_end), the register does not record her as pregnant (pregnant false or
-- empty), and no birth, abortion or induced labour of hers is dated on or after that checkup.
-- One finding per register row of the woman (women person_id); the message names the latest
-- such checkup. Detail columns: person, checkup_id, checkup_date (latest), pregnant_checkups.
SELECT
    found.record,
    found.village_code,
    found.person,
    found.recency.i AS checkup_id,
    found.recency.d AS checkup_date,
    found.pregnant_checkups
FROM (
    SELECT
        w.person_id AS record,
        w.village_code,
        CONCAT_WS(' ', w.name, w.person_id) AS person,
        max(struct_pack(d := c.checkup_date, i := COALESCE(c.checkup_id, ''))) AS recency,
        count(*) AS pregnant_checkups
    FROM women AS w
    CROSS JOIN audit_params AS params
    INNER JOIN checkups AS c ON c.person_id = w.person_id
    WHERE c.pregnant = TRUE
        AND c.checkup_date BETWEEN params.recent_start AND params.period_end
        AND NOT COALESCE(w.pregnant, FALSE)
        AND NOT EXISTS (
            SELECT 1
            FROM births AS b
            WHERE b.mother_id = w.person_id
                AND b.child_birth_date >= c.checkup_date
        )
        AND NOT EXISTS (
            SELECT 1
            FROM procedures AS pr
            WHERE pr.person_id = w.person_id
                AND pr.procedure IN ('abortion', 'induced_labor')
                AND pr.procedure_date >= c.checkup_date
        )
    GROUP BY w.person_id, w.village_code, w.name
) AS found
ORDER BY found.record, found.village_code
