-- migrant-birth-missing (出生漏报): a birth notified through the floating-population exchange
-- with child_birth_date in the window W, and no births row of that mother within ±7 days of it.
-- village_code: the mother's register village, else her floating-population village.
-- Detail columns: person (name and ID), mother_id, child_birth_date, reported_date.
SELECT
    mb.report_id AS record,
    COALESCE(w.village_code, m.village_code) AS village_code,
    CONCAT_WS(' ', COALESCE(w.name, m.name), mb.mother_id) AS person,
    mb.mother_id,
    mb.child_birth_date,
    mb.reported_date
FROM migrant_births AS mb
CROSS JOIN audit_params AS params
LEFT JOIN x_women_person AS w ON w.person_id = mb.mother_id
LEFT JOIN x_migrant_person AS m ON m.person_id = mb.mother_id
WHERE mb.mother_id IS NOT NULL
    AND mb.child_birth_date BETWEEN params.window_start AND params.period_end
    AND NOT EXISTS (
        SELECT 1
        FROM births AS b
        WHERE b.mother_id = mb.mother_id
            AND ABS(date_diff('day', mb.child_birth_date, b.child_birth_date)) <= 7
    )
ORDER BY record
