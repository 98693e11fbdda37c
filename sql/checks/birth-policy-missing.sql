-- birth-policy-missing: a birth in W whose policy attribute (政策属性: in 政策内 / out 政策外) is
-- empty, or was not a policy code (the loader then reports cell-invalid and leaves it empty).
-- Such a birth is neither in nor out of policy: the policy compliance rate (政策符合率) leaves it
-- out of numerator and denominator (sql/report/indicators.sql), and this finding asks for it.
-- Detail columns: mother_id, child_name, child_birth_date.
SELECT
    b.birth_id AS record,
    b.village_code,
    COALESCE(b.mother_id, '') AS mother_id,
    COALESCE(b.child_name, '') AS child_name,
    CAST(b.child_birth_date AS VARCHAR) AS child_birth_date
FROM births AS b
CROSS JOIN audit_params AS p
WHERE b.birth_id IS NOT NULL
    AND b.policy IS NULL
    AND b.child_birth_date BETWEEN p.window_start AND p.period_end
ORDER BY record
