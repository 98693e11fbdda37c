-- The four-number table (四数对比): each ledger's count per village and for the township.
-- Long form: one row per (unit, measure); is_township = 1 on the township total, where each
-- measure is counted once over the whole township (a person counted in two villages is one
-- person in the township). Each ledger is placed by its own village code: the comparison
-- shows what each ledger says about the village.
WITH p AS (
    SELECT window_start, period_end, recent_start FROM audit_params
),
facts AS (
    -- births (children) born in W on the statistics register
    SELECT b.village_code, 'births_statistics' AS measure, b.birth_id AS item
    FROM births AS b
    CROSS JOIN p
    WHERE b.child_birth_date BETWEEN p.window_start AND p.period_end
    UNION ALL
    -- deliveries evidenced by technical service: postpartum procedures in W
    SELECT pr.village_code, 'births_technical' AS measure,
           pr.person_id || '|' || CAST(pr.procedure_date AS VARCHAR) AS item
    FROM procedures AS pr
    CROSS JOIN p
    WHERE pr.postpartum
      AND pr.person_id IS NOT NULL
      AND pr.procedure_date BETWEEN p.window_start AND p.period_end
    UNION ALL
    -- births (children) notified by the floating-population exchange in W
    SELECT pv.village_code, 'births_floating' AS measure, mb.report_id AS item
    FROM migrant_births AS mb
    CROSS JOIN p
    LEFT JOIN rpt_person_village AS pv ON pv.person_id = mb.mother_id
    WHERE mb.child_birth_date BETWEEN p.window_start AND p.period_end
    UNION ALL
    -- births evidenced elsewhere with no births row of that mother (the births gap, 漏报)
    SELECT ev.village_code, 'births_unregistered' AS measure,
           ev.source || '|' || ev.mother_id || '|' || CAST(ev.event_date AS VARCHAR) AS item
    FROM rpt_birth_evidence AS ev
    WHERE ev.registered = 0
    UNION ALL
    -- long-acting methods taken up in W (落实长效措施): the register's women whose long-acting
    -- method began in W, against the women whose latest long-acting procedure (shared view, as
    -- the method-vs-procedure check reads it) was in W and leaves a method in place. Both
    -- sides look at W: the procedures ledger need not reach back to every old IUD.
    SELECT w.village_code, 'long_acting_statistics' AS measure, w.person_id AS item
    FROM women AS w
    CROSS JOIN p
    WHERE w.method IN ('iud', 'tubal_ligation', 'vasectomy', 'implant')
      AND w.method_date BETWEEN p.window_start AND p.period_end
    UNION ALL
    SELECT pr.village_code, 'long_acting_technical' AS measure, la.person_id AS item
    FROM x_latest_long_acting AS la
    JOIN procedures AS pr ON pr.procedure_id = la.procedure_id
    CROSS JOIN p
    WHERE la.method_implied IS NOT NULL
      AND la.procedure_date BETWEEN p.window_start AND p.period_end
    UNION ALL
    -- short-acting users who are here to be supplied (not away: residence other than out)
    SELECT w.village_code, 'short_acting_statistics' AS measure, w.person_id AS item
    FROM women AS w
    WHERE w.method IN ('oral_pill', 'injection', 'condom')
      AND (w.residence IS NULL OR w.residence <> 'out')
    UNION ALL
    -- distinct recipients of short-acting supplies in the last 92 days
    SELECT si.village_code, 'short_acting_supply' AS measure,
           COALESCE(si.person_id, '#' || si.issue_id) AS item
    FROM supply_issues AS si
    CROSS JOIN p
    WHERE si.item IN ('oral_pill', 'injection', 'condom')
      AND si.issue_date BETWEEN p.recent_start AND p.period_end
    UNION ALL
    SELECT w.village_code, 'out_migrants_statistics' AS measure, w.person_id AS item
    FROM women AS w
    WHERE w.residence = 'out'
    UNION ALL
    -- women away by the floating register: open out rows (shared view: no return date)
    SELECT m.village_code, 'out_migrants_floating' AS measure,
           COALESCE(m.person_id, '#' || m.migrant_id) AS item
    FROM x_open_migrants AS m
    WHERE m.direction = 'out'
)
SELECT
    GROUPING(village_code) AS is_township,
    village_code,
    measure,
    COUNT(DISTINCT item) AS n
FROM facts
GROUP BY GROUPING SETS ((village_code, measure), (measure))
ORDER BY is_township, village_code, measure
