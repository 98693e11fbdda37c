-- birth-order: one mother's births, sorted by child_birth_date, must have rising birth_order
-- (孩次), and two of her births on different dates must be at least 180 days apart.
-- Births on one date (twins, triplets) form one delivery: among themselves they are neither
-- ordered nor spaced (twins may share an order or have consecutive ones). Each birth is
-- compared with her previous delivery (the latest earlier date): its order must exceed the
-- highest order of that delivery, except that order 3 means "third or later" and may repeat;
-- and it must come 180 days or more after it. The later birth is the finding (record); a
-- birth breaking both rules gives one finding naming both. Rows without mother or date, and
-- orders left empty, cannot be placed and are not judged.
-- Detail columns: mother_id, child_name, child_birth_date, birth_order, prev_births (birth_ids
-- of the previous delivery), prev_date, prev_order, days_between, problem_zh, problem_en.
WITH b AS (
    SELECT birth_id, mother_id, child_name, child_birth_date, birth_order, village_code
    FROM births
    WHERE birth_id IS NOT NULL AND mother_id IS NOT NULL AND child_birth_date IS NOT NULL
),
deliveries AS (
    SELECT
        mother_id,
        child_birth_date,
        max(birth_order) AS max_order,
        string_agg(birth_id, ', ' ORDER BY birth_id) AS birth_ids
    FROM b
    GROUP BY mother_id, child_birth_date
),
previous AS (
    SELECT
        mother_id,
        child_birth_date,
        lag(child_birth_date) OVER (
            PARTITION BY mother_id ORDER BY child_birth_date
        ) AS prev_date,
        lag(max_order) OVER (PARTITION BY mother_id ORDER BY child_birth_date) AS prev_order,
        lag(birth_ids) OVER (PARTITION BY mother_id ORDER BY child_birth_date) AS prev_births
    FROM deliveries
),
judged AS (
    SELECT
        b.*,
        p.prev_date,
        p.prev_order,
        p.prev_births,
        date_diff('day', p.prev_date, b.child_birth_date) AS days_between,
        COALESCE(
            b.birth_order <= p.prev_order AND NOT (b.birth_order >= 3 AND p.prev_order >= 3),
            FALSE
        ) AS order_wrong,
        COALESCE(date_diff('day', p.prev_date, b.child_birth_date) < 180, FALSE) AS too_close
    FROM b
    JOIN previous AS p
        ON p.mother_id = b.mother_id AND p.child_birth_date = b.child_birth_date
    WHERE p.prev_date IS NOT NULL
)
SELECT
    birth_id AS record,
    village_code,
    mother_id,
    COALESCE(child_name, '') AS child_name,
    CAST(child_birth_date AS VARCHAR) AS child_birth_date,
    COALESCE(CAST(birth_order AS VARCHAR), '') AS birth_order,
    prev_births,
    CAST(prev_date AS VARCHAR) AS prev_date,
    COALESCE(CAST(prev_order AS VARCHAR), '') AS prev_order,
    days_between,
    concat_ws(
        '；',
        CASE WHEN order_wrong THEN
            '孩次 ' || CAST(birth_order AS VARCHAR) || ' 不大于 ' || CAST(prev_date AS VARCHAR)
            || ' 出生的 ' || prev_births || ' 的孩次 ' || CAST(prev_order AS VARCHAR)
        END,
        CASE WHEN too_close THEN
            '距 ' || CAST(prev_date AS VARCHAR) || ' 出生的 ' || prev_births || ' 仅 '
            || CAST(days_between AS VARCHAR) || ' 天（应不少于 180 天）'
        END
    ) AS problem_zh,
    concat_ws(
        '; ',
        CASE WHEN order_wrong THEN
            'birth order ' || CAST(birth_order AS VARCHAR) || ' is not above order '
            || CAST(prev_order AS VARCHAR) || ' of ' || prev_births || ' born '
            || CAST(prev_date AS VARCHAR)
        END,
        CASE WHEN too_close THEN
            'only ' || CAST(days_between AS VARCHAR) || ' days after ' || prev_births
            || ' born ' || CAST(prev_date AS VARCHAR) || ' (180 at least)'
        END
    ) AS problem_en
FROM judged
WHERE order_wrong OR too_close
ORDER BY record
