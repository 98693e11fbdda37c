-- report-internal (报表表内不平): a stat_reports row of the audit period (any level) that does
-- not add up. One finding per violated rule:
--   births_by_order   births_total = births_order1 + births_order2 + births_order3plus
--   births_by_sex     births_total = births_male + births_female
--   out_of_policy     births_out_of_policy ≤ births_total
--   married           married_women ≤ women_total
--   users             users_iud + … + users_other (all eight methods) ≤ women_total
--   out_migrants      out_migrant_women ≤ women_total
--   in_migrants       in_migrant_women ≤ women_total
-- A rule with an empty cell among its columns is not evaluated (an unreadable cell is
-- already a cell-invalid finding).
-- Detail columns: period, level, level_zh, unit_code, rule_id, rule (the formula, in
-- column names), rule_zh/rule_en (the formula in words), left_value, relation (≠ or >),
-- right_value.
-- Counts are widened to DECIMAL(38, 0) first: a sum of reported counts never overflows.
WITH wide AS (
    SELECT
        record,
        village_code,
        period,
        level,
        level_zh,
        unit_code,
        CAST(women_total AS DECIMAL(38, 0)) AS women_total,
        CAST(married_women AS DECIMAL(38, 0)) AS married_women,
        CAST(births_total AS DECIMAL(38, 0)) AS births_total,
        CAST(births_order1 AS DECIMAL(38, 0)) AS births_order1,
        CAST(births_order2 AS DECIMAL(38, 0)) AS births_order2,
        CAST(births_order3plus AS DECIMAL(38, 0)) AS births_order3plus,
        CAST(births_male AS DECIMAL(38, 0)) AS births_male,
        CAST(births_female AS DECIMAL(38, 0)) AS births_female,
        CAST(births_out_of_policy AS DECIMAL(38, 0)) AS births_out_of_policy,
        CAST(users_iud AS DECIMAL(38, 0)) AS users_iud,
        CAST(users_tubal_ligation AS DECIMAL(38, 0)) AS users_tubal_ligation,
        CAST(users_vasectomy AS DECIMAL(38, 0)) AS users_vasectomy,
        CAST(users_implant AS DECIMAL(38, 0)) AS users_implant,
        CAST(users_oral_pill AS DECIMAL(38, 0)) AS users_oral_pill,
        CAST(users_injection AS DECIMAL(38, 0)) AS users_injection,
        CAST(users_condom AS DECIMAL(38, 0)) AS users_condom,
        CAST(users_other AS DECIMAL(38, 0)) AS users_other,
        CAST(out_migrant_women AS DECIMAL(38, 0)) AS out_migrant_women,
        CAST(in_migrant_women AS DECIMAL(38, 0)) AS in_migrant_women
    FROM rep_report_rows
),

r AS (
    SELECT
        *,
        users_iud + users_tubal_ligation + users_vasectomy + users_implant + users_oral_pill
        + users_injection + users_condom + users_other AS users_sum
    FROM wide
),

rules AS (
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        1 AS rule_pos,
        'births_by_order' AS rule_id,
        'births_total = births_order1 + births_order2 + births_order3plus' AS rule,
        r.births_total AS left_value,
        '≠' AS relation,
        r.births_order1 + r.births_order2 + r.births_order3plus AS right_value
    FROM r
    WHERE r.births_total <> r.births_order1 + r.births_order2 + r.births_order3plus
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        2 AS rule_pos,
        'births_by_sex' AS rule_id,
        'births_total = births_male + births_female' AS rule,
        r.births_total AS left_value,
        '≠' AS relation,
        r.births_male + r.births_female AS right_value
    FROM r
    WHERE r.births_total <> r.births_male + r.births_female
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        3 AS rule_pos,
        'out_of_policy' AS rule_id,
        'births_out_of_policy ≤ births_total' AS rule,
        r.births_out_of_policy AS left_value,
        '>' AS relation,
        r.births_total AS right_value
    FROM r
    WHERE r.births_out_of_policy > r.births_total
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        4 AS rule_pos,
        'married' AS rule_id,
        'married_women ≤ women_total' AS rule,
        r.married_women AS left_value,
        '>' AS relation,
        r.women_total AS right_value
    FROM r
    WHERE r.married_women > r.women_total
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        5 AS rule_pos,
        'users' AS rule_id,
        'users_iud + … + users_other ≤ women_total' AS rule,
        r.users_sum AS left_value,
        '>' AS relation,
        r.women_total AS right_value
    FROM r
    WHERE r.users_sum > r.women_total
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        6 AS rule_pos,
        'out_migrants' AS rule_id,
        'out_migrant_women ≤ women_total' AS rule,
        r.out_migrant_women AS left_value,
        '>' AS relation,
        r.women_total AS right_value
    FROM r
    WHERE r.out_migrant_women > r.women_total
    UNION ALL
    SELECT
        r.record,
        r.village_code,
        r.period,
        r.level,
        r.level_zh,
        r.unit_code,
        7 AS rule_pos,
        'in_migrants' AS rule_id,
        'in_migrant_women ≤ women_total' AS rule,
        r.in_migrant_women AS left_value,
        '>' AS relation,
        r.women_total AS right_value
    FROM r
    WHERE r.in_migrant_women > r.women_total
)

SELECT
    record,
    village_code,
    period,
    level,
    level_zh,
    unit_code,
    rule_id,
    rule,
    CASE rule_id
        WHEN 'births_by_order' THEN '出生 = 一孩 + 二孩 + 三孩及以上'
        WHEN 'births_by_sex' THEN '出生 = 男孩 + 女孩'
        WHEN 'out_of_policy' THEN '政策外出生 ≤ 出生'
        WHEN 'married' THEN '已婚育龄妇女 ≤ 育龄妇女'
        WHEN 'users' THEN '各措施人数之和（上环 + … + 其他措施）≤ 育龄妇女'
        WHEN 'out_migrants' THEN '流出育龄妇女 ≤ 育龄妇女'
        WHEN 'in_migrants' THEN '流入育龄妇女 ≤ 育龄妇女'
        ELSE rule
    END AS rule_zh,
    CASE rule_id
        WHEN 'births_by_order' THEN 'births = first + second + third or later'
        WHEN 'births_by_sex' THEN 'births = boys + girls'
        WHEN 'out_of_policy' THEN 'out-of-policy births ≤ births'
        WHEN 'married' THEN 'married women ≤ women'
        WHEN 'users' THEN 'users of all methods (IUD + … + other) ≤ women'
        WHEN 'out_migrants' THEN 'out-migrant women ≤ women'
        WHEN 'in_migrants' THEN 'in-migrant women ≤ women'
        ELSE rule
    END AS rule_en,
    left_value,
    relation,
    right_value
FROM rules
ORDER BY record, rule_pos
