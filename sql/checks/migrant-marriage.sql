-- migrant-marriage (初婚漏报): the floating-population register says married or remarried
-- (any migrants row of hers, open or closed) while the women's register says single.
-- One finding per register row (women person_id); the message names her latest such row.
-- Detail columns: person, migrant_id, marital_zh/_en (what the migrants row says).
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    CONCAT_WS(' ', w.name, w.person_id) AS person,
    said.migrant_id,
    lm.label_zh AS marital_zh,
    lm.label_en AS marital_en
FROM women AS w
INNER JOIN (
    -- her latest migrants row saying married or remarried (by move_date, then migrant_id)
    SELECT
        chosen.person_id,
        chosen.top.i AS migrant_id,
        chosen.top.s AS marital_status
    FROM (
        SELECT
            m.person_id,
            max(
                struct_pack(
                    d := COALESCE(m.move_date, DATE '0001-01-01'),
                    i := COALESCE(m.migrant_id, ''),
                    s := m.marital_status
                )
            ) AS top
        FROM migrants AS m
        WHERE m.marital_status IN ('married', 'remarried')
        GROUP BY m.person_id
    ) AS chosen
) AS said ON said.person_id = w.person_id
INNER JOIN x_code_labels AS lm ON lm.code_set = 'marital_status' AND lm.code = said.marital_status
WHERE w.marital_status = 'single'
ORDER BY record, w.village_code
