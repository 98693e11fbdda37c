-- Births in W evidenced outside the statistics ledger: list B of the capture–recapture
-- estimate and the "births not on the register" gap of the four-number table.
--
-- One row per birth event (one mother, one delivery):
--   * a floating-population notice (migrant_births) in W; notices of the same mother on one
--     date (twins) or within 7 days of an earlier notice are one delivery;
--   * a postpartum procedure in W, unless the same woman has a notice or an earlier
--     postpartum procedure in the 42 days before it (then it is the same delivery).
-- registered: a births row of that mother matches the event the way the checks match it
-- (migrant-birth-missing: within ±7 days; postpartum-birth-missing: in the 42 days before
-- the procedure); registered_in_window: such a births row has its birth in W (list A).
-- in_list_b: the birth itself falls in W. A registered event is dated by its births row (a
-- procedure early in W can follow a September birth, which is not a birth in W); an
-- unregistered one by its own date.
-- A table built once per audit, not a view: the four numbers and capture–recapture (twice)
-- read it.
CREATE OR REPLACE TABLE rpt_birth_evidence AS
WITH p AS (
    SELECT window_start, period_end FROM audit_params
),
notified AS (
    SELECT mb.mother_id, mb.child_birth_date AS event_date
    FROM migrant_births AS mb
    CROSS JOIN p
    WHERE mb.mother_id IS NOT NULL
      AND mb.child_birth_date BETWEEN p.window_start AND p.period_end
    GROUP BY mb.mother_id, mb.child_birth_date
),
notified_events AS (
    SELECT n.mother_id, n.event_date
    FROM notified AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM notified AS e
        WHERE e.mother_id = n.mother_id
          AND e.event_date < n.event_date
          AND e.event_date >= n.event_date - INTERVAL 7 DAY
    )
),
postpartum AS (
    SELECT pr.person_id, pr.procedure_date AS event_date, MIN(pr.village_code) AS village_code
    FROM procedures AS pr
    CROSS JOIN p
    WHERE pr.postpartum
      AND pr.person_id IS NOT NULL
      AND pr.procedure_date BETWEEN p.window_start AND p.period_end
    GROUP BY pr.person_id, pr.procedure_date
),
postpartum_events AS (
    SELECT pp.person_id, pp.event_date, pp.village_code
    FROM postpartum AS pp
    WHERE NOT EXISTS (
        SELECT 1 FROM notified AS n
        WHERE n.mother_id = pp.person_id
          AND n.event_date BETWEEN pp.event_date - INTERVAL 42 DAY AND pp.event_date
    )
    AND NOT EXISTS (
        SELECT 1 FROM postpartum AS e
        WHERE e.person_id = pp.person_id
          AND e.event_date < pp.event_date
          AND e.event_date >= pp.event_date - INTERVAL 42 DAY
    )
),
events AS (
    SELECT 'floating' AS source, n.mother_id, n.event_date, pv.village_code
    FROM notified_events AS n
    LEFT JOIN rpt_person_village AS pv ON pv.person_id = n.mother_id
    UNION ALL
    SELECT 'technical' AS source, pp.person_id AS mother_id, pp.event_date, pp.village_code
    FROM postpartum_events AS pp
),
matched AS (
    SELECT
        e.source,
        e.mother_id,
        e.event_date,
        MAX(
            CASE WHEN b.child_birth_date BETWEEN p.window_start AND p.period_end THEN 1 ELSE 0 END
        ) AS in_window
    FROM events AS e
    JOIN births AS b
      ON b.mother_id = e.mother_id
     AND (
        (e.source = 'floating'
         AND b.child_birth_date BETWEEN e.event_date - INTERVAL 7 DAY
                                    AND e.event_date + INTERVAL 7 DAY)
        OR (e.source = 'technical'
            AND b.child_birth_date BETWEEN e.event_date - INTERVAL 42 DAY AND e.event_date)
     )
    CROSS JOIN p
    GROUP BY e.source, e.mother_id, e.event_date
)
SELECT
    e.source,
    e.mother_id,
    e.event_date,
    e.village_code,
    CASE WHEN m.mother_id IS NULL THEN 0 ELSE 1 END AS registered,
    COALESCE(m.in_window, 0) AS registered_in_window,
    CASE WHEN m.mother_id IS NULL THEN 1 ELSE m.in_window END AS in_list_b
FROM events AS e
LEFT JOIN matched AS m
  ON m.source = e.source AND m.mother_id = e.mother_id AND m.event_date = e.event_date
