-- trend-method-balance (手术数与使用人数变化不符): related indicators. A village's IUD users
-- should change from the previous month by about the month's IUD insertions minus removals
-- (放环 − 取环); implant users (皮埋) likewise by implant insertions minus removals. The IUD
-- operations are the report's own (proc_iud_insert, proc_iud_remove); the report has no implant
-- operations, so those are counted in the procedures ledger (implant_insert, implant_remove
-- dated in the audit month, by the procedure's village).
-- Women also start or stop a method by moving, ageing out or switching, so a finding needs a
-- gap of more than max(3, 5 % of last month's users) between the change in users and the
-- operations. Without last month's row in the series the rule has nothing to compare.
-- Detail columns: period, unit_code, method, method_zh, previous_period, previous_users, users, change,
-- inserted, removed, net, expected_users, gap.
WITH cur AS (
    SELECT s.*
    FROM trend_series AS s
    INNER JOIN audit_params AS a ON s.period = a.period
),

prev AS (
    SELECT s.*
    FROM trend_series AS s
    INNER JOIN audit_params AS a
        ON s.month_index
        = CAST(substr(a.period, 1, 4) AS INTEGER) * 12 + CAST(substr(a.period, 6, 2) AS INTEGER) - 1
),

implant_ops AS (
    SELECT
        p.village_code AS unit_code,
        sum(CASE WHEN p.procedure = 'implant_insert' THEN 1 ELSE 0 END) AS inserted,
        sum(CASE WHEN p.procedure = 'implant_remove' THEN 1 ELSE 0 END) AS removed
    FROM procedures AS p
    INNER JOIN audit_params AS a
        ON p.procedure_date BETWEEN a.period_start AND a.period_end
    GROUP BY p.village_code
),

balance AS (
    SELECT
        c.period,
        c.unit_code,
        'iud' AS method,
        pu.period AS previous_period,
        pu.value AS previous_users,
        c.value AS users,
        i.value AS inserted,
        r.value AS removed
    FROM cur AS c
    INNER JOIN prev AS pu ON pu.unit_code = c.unit_code AND pu.measure = 'users_iud'
    INNER JOIN cur AS i ON i.unit_code = c.unit_code AND i.measure = 'proc_iud_insert'
    INNER JOIN cur AS r ON r.unit_code = c.unit_code AND r.measure = 'proc_iud_remove'
    WHERE c.measure = 'users_iud'
    UNION ALL
    SELECT
        c.period,
        c.unit_code,
        'implant' AS method,
        pu.period AS previous_period,
        pu.value AS previous_users,
        c.value AS users,
        coalesce(o.inserted, 0) AS inserted,
        coalesce(o.removed, 0) AS removed
    FROM cur AS c
    INNER JOIN prev AS pu ON pu.unit_code = c.unit_code AND pu.measure = 'users_implant'
    LEFT JOIN implant_ops AS o ON o.unit_code = c.unit_code
    WHERE c.measure = 'users_implant'
)

SELECT
    period || '|village|' || unit_code AS record,
    unit_code AS village_code,
    period,
    unit_code,
    method,
    CASE method WHEN 'iud' THEN '上环' ELSE '皮埋' END AS method_zh,
    previous_period,
    previous_users,
    users,
    users - previous_users AS change,
    inserted,
    removed,
    inserted - removed AS net,
    previous_users + inserted - removed AS expected_users,
    users - (previous_users + inserted - removed) AS gap
FROM balance
WHERE abs(users - (previous_users + inserted - removed)) > greatest(3, 0.05 * previous_users)
ORDER BY record, method
