-- Two-list capture–recapture of births in W for the township (counts of birth events):
--   n1  list A, the statistics ledger: distinct (mother, birth date) of births in W
--   n2  list B, births in W evidenced by technical service or floating population (view
--       rpt_birth_evidence: one row per delivery)
--   m   list B events matched to a list A birth
WITH p AS (
    SELECT window_start, period_end FROM audit_params
),
list_a AS (
    SELECT DISTINCT COALESCE(b.mother_id, '#' || b.birth_id) AS mother, b.child_birth_date
    FROM births AS b
    CROSS JOIN p
    WHERE b.child_birth_date BETWEEN p.window_start AND p.period_end
)
SELECT
    (SELECT COUNT(*) FROM list_a) AS n1,
    (SELECT COUNT(*) FROM rpt_birth_evidence WHERE in_list_b = 1) AS n2,
    (SELECT COUNT(*) FROM rpt_birth_evidence WHERE registered_in_window = 1) AS m
