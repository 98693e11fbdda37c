-- outmigrant-missing: the register says out-migrant (women.residence = out) but the
-- floating-population register has no open out row of hers (direction out, return_date empty).
-- One finding per register row (women person_id). Detail columns: person, status_zh/_en (her
-- latest out row and when it was closed, or that there is none).
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    CONCAT_WS(' ', w.name, w.person_id) AS person,
    CASE
        WHEN last_out.person_id IS NULL THEN '流动人口登记中没有她的流出记录'
        ELSE '流动人口登记中她最近的流出记录 ' || COALESCE(last_out.migrant_id, '?') || ' 已于 '
            || COALESCE(CAST(last_out.return_date AS VARCHAR), '?') || ' 返回注销'
    END AS status_zh,
    CASE
        WHEN last_out.person_id IS NULL
            THEN 'the floating-population register has no out-migration row of hers'
        ELSE 'her latest out-migration row ' || COALESCE(last_out.migrant_id, '?')
            || ' was closed on return on ' || COALESCE(CAST(last_out.return_date AS VARCHAR), '?')
    END AS status_en
FROM women AS w
LEFT JOIN (
    -- her latest out row (by move_date, then migrant_id), open or closed
    SELECT
        chosen.person_id,
        NULLIF(chosen.top.i, '') AS migrant_id,
        chosen.top.r AS return_date
    FROM (
        SELECT
            m.person_id,
            max(
                struct_pack(
                    d := COALESCE(m.move_date, DATE '0001-01-01'),
                    i := COALESCE(m.migrant_id, ''),
                    -- a NULL return date (still away) ranks last in both engines (x_women_person)
                    r0 := m.return_date IS NULL,
                    r := m.return_date
                )
            ) AS top
        FROM migrants AS m
        WHERE m.direction = 'out'
        GROUP BY m.person_id
    ) AS chosen
) AS last_out ON last_out.person_id = w.person_id
WHERE w.residence = 'out'
    AND w.person_id IS NOT NULL
    AND NOT EXISTS (
        SELECT 1
        FROM x_open_migrants AS om
        WHERE om.person_id = w.person_id
            AND om.direction = 'out'
    )
ORDER BY record, w.village_code
