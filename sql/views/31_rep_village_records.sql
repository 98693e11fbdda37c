-- rep_village_records: per village, the 23 stat_reports counts as the records give them
-- (报表与个案一致: what each village row of the monthly report should say).
--
-- One row per village: every village_code on the women register, on a birth or a
-- procedure of the period month, or on a village or group row of stat_reports for
-- the audit period (so a reported village without any record gets zeros). Columns:
--   village_code          12-digit village code
--   women_total           women rows of the village (every residence; state at period end)
--   married_women         women with marital_status married or remarried (初婚 + 再婚)
--   births_total          births rows with child_birth_date in the period month, by births.village_code
--   births_order1/2       ... with birth_order 1 / 2
--   births_order3plus     ... with birth_order 3 or more (3 = third or later)
--   births_male/female    ... with child_sex M / F
--   births_out_of_policy  ... with policy out (政策外)
--   users_<method>        women whose method is iud, tubal_ligation, vasectomy, implant,
--                         oral_pill, injection, condom, other (none is not counted)
--   out_migrant_women     women with residence out (流出)
--   in_migrant_women      women with residence in (流入)
--   proc_iud_insert       procedures iud_insert with procedure_date in the period month,
--                         by procedures.village_code (放环)
--   proc_iud_remove       ... iud_remove (取环)
--   proc_ligation         ... tubal_ligation + vasectomy (结扎: 女扎 + 男扎)
--   proc_abortion         ... abortion + induced_labor (人流 + 引产)
-- Rows with an empty village_code are not attributed to any village; a birth or a
-- procedure with an empty date is not in any month.
CREATE OR REPLACE VIEW rep_village_records AS
WITH month_births AS (
    SELECT b.*
    FROM births AS b
    CROSS JOIN audit_params AS a
    WHERE b.child_birth_date BETWEEN a.period_start AND a.period_end
),

month_procedures AS (
    SELECT p.*
    FROM procedures AS p
    CROSS JOIN audit_params AS a
    WHERE p.procedure_date BETWEEN a.period_start AND a.period_end
),

villages AS (
    SELECT village_code FROM women WHERE village_code IS NOT NULL
    UNION
    SELECT village_code FROM month_births WHERE village_code IS NOT NULL
    UNION
    SELECT village_code FROM month_procedures WHERE village_code IS NOT NULL
    UNION
    SELECT
        CASE
            WHEN r.level = 'group' AND strpos(r.unit_code, '-') > 0
                THEN substr(r.unit_code, 1, strpos(r.unit_code, '-') - 1)
            ELSE r.unit_code
        END AS village_code
    FROM stat_reports AS r
    INNER JOIN audit_params AS a ON r.period = a.period
    WHERE r.level IN ('village', 'group') AND r.unit_code IS NOT NULL
),

w AS (
    SELECT
        village_code,
        COUNT(*) AS women_total,
        SUM(CASE WHEN marital_status IN ('married', 'remarried') THEN 1 ELSE 0 END) AS married_women,
        SUM(CASE WHEN method = 'iud' THEN 1 ELSE 0 END) AS users_iud,
        SUM(CASE WHEN method = 'tubal_ligation' THEN 1 ELSE 0 END) AS users_tubal_ligation,
        SUM(CASE WHEN method = 'vasectomy' THEN 1 ELSE 0 END) AS users_vasectomy,
        SUM(CASE WHEN method = 'implant' THEN 1 ELSE 0 END) AS users_implant,
        SUM(CASE WHEN method = 'oral_pill' THEN 1 ELSE 0 END) AS users_oral_pill,
        SUM(CASE WHEN method = 'injection' THEN 1 ELSE 0 END) AS users_injection,
        SUM(CASE WHEN method = 'condom' THEN 1 ELSE 0 END) AS users_condom,
        SUM(CASE WHEN method = 'other' THEN 1 ELSE 0 END) AS users_other,
        SUM(CASE WHEN residence = 'out' THEN 1 ELSE 0 END) AS out_migrant_women,
        SUM(CASE WHEN residence = 'in' THEN 1 ELSE 0 END) AS in_migrant_women
    FROM women
    WHERE village_code IS NOT NULL
    GROUP BY village_code
),

b AS (
    SELECT
        village_code,
        COUNT(*) AS births_total,
        SUM(CASE WHEN birth_order = 1 THEN 1 ELSE 0 END) AS births_order1,
        SUM(CASE WHEN birth_order = 2 THEN 1 ELSE 0 END) AS births_order2,
        SUM(CASE WHEN birth_order >= 3 THEN 1 ELSE 0 END) AS births_order3plus,
        SUM(CASE WHEN child_sex = 'M' THEN 1 ELSE 0 END) AS births_male,
        SUM(CASE WHEN child_sex = 'F' THEN 1 ELSE 0 END) AS births_female,
        SUM(CASE WHEN policy = 'out' THEN 1 ELSE 0 END) AS births_out_of_policy
    FROM month_births
    WHERE village_code IS NOT NULL
    GROUP BY village_code
),

p AS (
    SELECT
        village_code,
        SUM(CASE WHEN procedure = 'iud_insert' THEN 1 ELSE 0 END) AS proc_iud_insert,
        SUM(CASE WHEN procedure = 'iud_remove' THEN 1 ELSE 0 END) AS proc_iud_remove,
        SUM(
            CASE WHEN procedure IN ('tubal_ligation', 'vasectomy') THEN 1 ELSE 0 END
        ) AS proc_ligation,
        SUM(
            CASE WHEN procedure IN ('abortion', 'induced_labor') THEN 1 ELSE 0 END
        ) AS proc_abortion
    FROM month_procedures
    WHERE village_code IS NOT NULL
    GROUP BY village_code
)

SELECT
    v.village_code,
    CAST(COALESCE(w.women_total, 0) AS BIGINT) AS women_total,
    CAST(COALESCE(w.married_women, 0) AS BIGINT) AS married_women,
    CAST(COALESCE(b.births_total, 0) AS BIGINT) AS births_total,
    CAST(COALESCE(b.births_order1, 0) AS BIGINT) AS births_order1,
    CAST(COALESCE(b.births_order2, 0) AS BIGINT) AS births_order2,
    CAST(COALESCE(b.births_order3plus, 0) AS BIGINT) AS births_order3plus,
    CAST(COALESCE(b.births_male, 0) AS BIGINT) AS births_male,
    CAST(COALESCE(b.births_female, 0) AS BIGINT) AS births_female,
    CAST(COALESCE(b.births_out_of_policy, 0) AS BIGINT) AS births_out_of_policy,
    CAST(COALESCE(w.users_iud, 0) AS BIGINT) AS users_iud,
    CAST(COALESCE(w.users_tubal_ligation, 0) AS BIGINT) AS users_tubal_ligation,
    CAST(COALESCE(w.users_vasectomy, 0) AS BIGINT) AS users_vasectomy,
    CAST(COALESCE(w.users_implant, 0) AS BIGINT) AS users_implant,
    CAST(COALESCE(w.users_oral_pill, 0) AS BIGINT) AS users_oral_pill,
    CAST(COALESCE(w.users_injection, 0) AS BIGINT) AS users_injection,
    CAST(COALESCE(w.users_condom, 0) AS BIGINT) AS users_condom,
    CAST(COALESCE(w.users_other, 0) AS BIGINT) AS users_other,
    CAST(COALESCE(w.out_migrant_women, 0) AS BIGINT) AS out_migrant_women,
    CAST(COALESCE(w.in_migrant_women, 0) AS BIGINT) AS in_migrant_women,
    CAST(COALESCE(p.proc_iud_insert, 0) AS BIGINT) AS proc_iud_insert,
    CAST(COALESCE(p.proc_iud_remove, 0) AS BIGINT) AS proc_iud_remove,
    CAST(COALESCE(p.proc_ligation, 0) AS BIGINT) AS proc_ligation,
    CAST(COALESCE(p.proc_abortion, 0) AS BIGINT) AS proc_abortion
FROM villages AS v
LEFT JOIN w ON v.village_code = w.village_code
LEFT JOIN b ON v.village_code = b.village_code
LEFT JOIN p ON v.village_code = p.village_code
