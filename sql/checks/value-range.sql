-- value-range (数值超出范围): a number outside the range the data contract states for its
-- column. One finding per cell:
--   women.group_no, births.group_no   villager group 1..99 (村民小组)
--   women.children                    living children, 0 or more (现有子女数)
--   births.birth_order                1, 2 or 3 (3 = third or later, 孩次)
--   supply_issues.quantity            more than 0 (发放数量)
--   stat_reports counts               0 or more, rows of the audit period (rep_report_cells)
-- Stock amounts below zero are stock-balance findings. Empty cells are not checked (an
-- unreadable one is a cell-invalid finding already). Values are compared as read, so even
-- BIGINT's extremes are reported, never overflowed.
-- Detail columns: table_name, column_name, value, expected_zh, expected_en.
WITH cells AS (
    SELECT
        'women' AS table_name,
        w.person_id AS record,
        w.village_code,
        'group_no' AS column_name,
        1 AS column_pos,
        w.group_no AS value,
        w.group_no BETWEEN 1 AND 99 AS ok,
        '1 至 99' AS expected_zh,
        '1 to 99' AS expected_en
    FROM women AS w
    WHERE w.person_id IS NOT NULL AND w.group_no IS NOT NULL
    UNION ALL
    SELECT
        'women',
        w.person_id,
        w.village_code,
        'children',
        2,
        w.children,
        w.children >= 0,
        '0 或以上',
        '0 or more'
    FROM women AS w
    WHERE w.person_id IS NOT NULL AND w.children IS NOT NULL
    UNION ALL
    SELECT
        'births',
        b.birth_id,
        b.village_code,
        'group_no',
        1,
        b.group_no,
        b.group_no BETWEEN 1 AND 99,
        '1 至 99',
        '1 to 99'
    FROM births AS b
    WHERE b.birth_id IS NOT NULL AND b.group_no IS NOT NULL
    UNION ALL
    SELECT
        'births',
        b.birth_id,
        b.village_code,
        'birth_order',
        2,
        b.birth_order,
        b.birth_order BETWEEN 1 AND 3,
        '1、2 或 3（3 = 第三孩及以上）',
        '1, 2 or 3 (3 = third or later)'
    FROM births AS b
    WHERE b.birth_id IS NOT NULL AND b.birth_order IS NOT NULL
    UNION ALL
    SELECT
        'supply_issues',
        i.issue_id,
        i.village_code,
        'quantity',
        1,
        i.quantity,
        i.quantity > 0,
        '大于 0',
        'more than 0'
    FROM supply_issues AS i
    WHERE i.issue_id IS NOT NULL AND i.quantity IS NOT NULL
    UNION ALL
    SELECT
        'stat_reports',
        c.record,
        c.village_code,
        c.column_name,
        c.pos,
        c.value,
        c.value >= 0,
        '0 或以上',
        '0 or more'
    FROM rep_report_cells AS c
    WHERE c.value IS NOT NULL
)

SELECT
    record,
    village_code,
    table_name,
    column_name,
    CAST(value AS VARCHAR) AS value,
    expected_zh,
    expected_en
FROM cells
WHERE NOT ok
ORDER BY table_name, record, column_pos, column_name
