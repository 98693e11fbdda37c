-- Management indicators per village and for the township (checks.md §6), as numerators and
-- denominators in long form: one row per (unit, measure), is_township = 1 on the total.
--   policy compliance (政策符合率)      births_policy_in / births_policy_known
--   contraceptive prevalence (综合节育率) married_with_method / married
--   sex ratio at birth (出生性别比)      births_male : births_female
--   certificate rate (持证率)          certificate_valid / certificate_rows
--   feedback rate (信息反馈率)          feedback_recent / feedback_rows
--   timely reporting (及时率)          births_timely / births
-- Births are those born in W; a birth without a policy attribute (birth-policy-missing) is
-- neither in nor out of policy and is left out of both parts of the compliance rate.
-- Married women (已婚育龄妇女) are married or remarried women of childbearing age, 15-49
-- completed years (周岁) at the period end by their register birth date, counted as age-range
-- counts them; a woman without a birth date is not counted. Migrant rows are open rows (no
-- return date) of married or remarried women (by the floating register, else the register of
-- women).
WITH p AS (
    SELECT window_start, period_end, recent_start FROM audit_params
),
births_w AS (
    SELECT b.*
    FROM births AS b
    CROSS JOIN p
    WHERE b.child_birth_date BETWEEN p.window_start AND p.period_end
),
married_women AS (
    SELECT w.*
    FROM women AS w
    CROSS JOIN p
    WHERE w.marital_status IN ('married', 'remarried')
        AND w.birth_date IS NOT NULL
        AND year(p.period_end) - year(w.birth_date)
            - CASE
                WHEN month(p.period_end) * 100 + day(p.period_end)
                    < month(w.birth_date) * 100 + day(w.birth_date) THEN 1
                ELSE 0
            END BETWEEN 15 AND 49
),
married_migrants AS (
    SELECT m.*
    FROM x_open_migrants AS m
    LEFT JOIN women AS w ON w.person_id = m.person_id
    WHERE COALESCE(m.marital_status, w.marital_status) IN ('married', 'remarried')
),
facts AS (
    SELECT village_code, 'births' AS measure, birth_id AS item FROM births_w
    UNION ALL
    SELECT village_code, 'births_policy_known' AS measure, birth_id AS item
    FROM births_w WHERE policy IS NOT NULL
    UNION ALL
    SELECT village_code, 'births_policy_in' AS measure, birth_id AS item
    FROM births_w WHERE policy = 'in'
    UNION ALL
    SELECT village_code, 'births_male' AS measure, birth_id AS item
    FROM births_w WHERE child_sex = 'M'
    UNION ALL
    SELECT village_code, 'births_female' AS measure, birth_id AS item
    FROM births_w WHERE child_sex = 'F'
    UNION ALL
    -- reported on the day of birth or within the 30 days after it
    SELECT village_code, 'births_timely' AS measure, birth_id AS item
    FROM births_w
    WHERE reported_date BETWEEN child_birth_date AND child_birth_date + INTERVAL 30 DAY
    UNION ALL
    SELECT village_code, 'married' AS measure, person_id AS item
    FROM married_women
    UNION ALL
    SELECT village_code, 'married_with_method' AS measure, person_id AS item
    FROM married_women
    WHERE method IS NOT NULL AND method <> 'none'
    UNION ALL
    SELECT village_code, 'certificate_rows' AS measure, migrant_id AS item
    FROM married_migrants WHERE direction IN ('out', 'in')
    UNION ALL
    -- a certificate number, not expired at the period end
    SELECT mm.village_code, 'certificate_valid' AS measure, mm.migrant_id AS item
    FROM married_migrants AS mm
    CROSS JOIN p
    WHERE mm.direction IN ('out', 'in')
      AND mm.certificate_no IS NOT NULL AND TRIM(mm.certificate_no) <> ''
      AND (mm.certificate_expiry IS NULL OR mm.certificate_expiry >= p.period_end)
    UNION ALL
    SELECT village_code, 'feedback_rows' AS measure, migrant_id AS item
    FROM married_migrants WHERE direction = 'out'
    UNION ALL
    SELECT mm.village_code, 'feedback_recent' AS measure, mm.migrant_id AS item
    FROM married_migrants AS mm
    CROSS JOIN p
    WHERE mm.direction = 'out'
      AND mm.last_feedback_date BETWEEN p.recent_start AND p.period_end
)
SELECT
    GROUPING(village_code) AS is_township,
    village_code,
    measure,
    COUNT(DISTINCT item) AS n
FROM facts
GROUP BY GROUPING SETS ((village_code, measure), (measure))
ORDER BY is_township, village_code, measure
