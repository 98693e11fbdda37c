-- stat_id_numbers: every distinct resident ID number (居民身份证号码, GB 11643-1999) in the
-- submission, parsed once per audit and kept as a table: the checks that judge IDs (id-format,
-- id-sex, id-birthdate, birth-mother-age) and the view stat_ids read it instead of re-deriving
-- the rules per row and per check. An ID is parsed once however many ledgers repeat it.
-- Rules: shape (18 characters, 17 ASCII digits and an ASCII digit or X/x), the birth date
-- inside it (a real calendar date, 1900 or later, not after the period end), the ISO 7064
-- MOD 11-2 check character: the definition of audit.core.idcard, which the tests hold this
-- table to (same verdict, same reason). The 17 digits are read as one integer and taken
-- apart arithmetically, which is several times cheaper than 17 substrings; every CAST of ID
-- text sits inside a CASE whose guard has proved the text is digits, so no engine ever casts
-- a malformed ID.
-- Empty IDs are left out (the loader reports empty cells and keys).
-- Columns (stable): id_number, id_valid, id_birth_date (DATE, when the ID holds a real date),
--   is_male (valid IDs: 17th digit odd), id_region (the 6-digit division code of a well-formed
--   ID), problem_zh, problem_en (why an invalid ID is invalid; NULL when valid).
CREATE OR REPLACE TABLE stat_id_numbers AS
WITH numbers AS (
    SELECT person_id AS id_number FROM women
    UNION
    SELECT mother_id FROM births
    UNION
    SELECT person_id FROM supply_issues
    UNION
    SELECT person_id FROM procedures
    UNION
    SELECT person_id FROM checkups
    UNION
    SELECT person_id FROM migrants
    UNION
    SELECT mother_id FROM migrant_births
),
shaped AS (
    SELECT
        id_number,
        length(id_number) AS id_length,
        upper(substr(id_number, 18, 1)) AS check_given,
        length(id_number) = 18 AND regexp_matches(id_number, '^[0-9]{17}[0-9Xx]$') AS well_formed
    FROM numbers
    WHERE id_number IS NOT NULL AND trim(id_number) <> ''
),
digits AS (
    SELECT
        shaped.*,
        CASE WHEN well_formed THEN CAST(substr(id_number, 1, 17) AS BIGINT) END AS n
    FROM shaped
),
parts AS (
    SELECT
        digits.*,
        (n // 10000000) % 10000 AS y,
        (n // 100000) % 100 AS m,
        (n // 1000) % 100 AS d,
        (
            (n // 10000000000000000) % 10 * 7 + (n // 1000000000000000) % 10 * 9
            + (n // 100000000000000) % 10 * 10 + (n // 10000000000000) % 10 * 5
            + (n // 1000000000000) % 10 * 8 + (n // 100000000000) % 10 * 4
            + (n // 10000000000) % 10 * 2 + (n // 1000000000) % 10 * 1
            + (n // 100000000) % 10 * 6 + (n // 10000000) % 10 * 3
            + (n // 1000000) % 10 * 7 + (n // 100000) % 10 * 9
            + (n // 10000) % 10 * 10 + (n // 1000) % 10 * 5
            + (n // 100) % 10 * 8 + (n // 10) % 10 * 4 + n % 10 * 2
        ) % 11 AS check_index
    FROM digits
),
dated AS (
    SELECT
        parts.*,
        -- A real calendar date: month 1..12, day within the month (Gregorian leap years).
        COALESCE(
            y >= 1900 AND m BETWEEN 1 AND 12 AND d >= 1
            AND d <= CASE
                WHEN m IN (4, 6, 9, 11) THEN 30
                WHEN m = 2 AND ((y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0) THEN 29
                WHEN m = 2 THEN 28
                ELSE 31
            END,
            FALSE
        ) AS real_date,
        substr('10X98765432', CAST(check_index AS INTEGER) + 1, 1) AS check_expected
    FROM parts
),
checked AS (
    SELECT
        dated.*,
        CASE WHEN real_date THEN make_date(CAST(y AS INTEGER), CAST(m AS INTEGER), CAST(d AS INTEGER)) END
            AS id_birth_date
    FROM dated
)
SELECT
    c.id_number,
    c.well_formed AND c.real_date AND c.id_birth_date <= params.period_end
        AND c.check_given = c.check_expected AS id_valid,
    c.id_birth_date,
    CASE
        WHEN c.well_formed AND c.real_date AND c.id_birth_date <= params.period_end
            AND c.check_given = c.check_expected
            THEN c.n % 2 = 1
    END AS is_male,
    CASE WHEN c.well_formed THEN substr(c.id_number, 1, 6) END AS id_region,
    CASE
        WHEN c.id_length <> 18
            THEN '长度为 ' || CAST(c.id_length AS VARCHAR) || ' 位，应为 18 位'
        WHEN NOT c.well_formed THEN '只能由数字组成（末位可为 X）'
        WHEN c.y < 1900 THEN '其中的出生年份 ' || substr(c.id_number, 7, 4) || ' 早于 1900 年'
        WHEN NOT c.real_date
            THEN '其中的出生日期 ' || substr(c.id_number, 7, 8) || ' 不是有效日期'
        WHEN c.id_birth_date > params.period_end
            THEN '其中的出生日期 ' || CAST(c.id_birth_date AS VARCHAR) || ' 晚于报告期末'
        WHEN c.check_given <> c.check_expected
            THEN '校验码为 ' || c.check_given || '，应为 ' || c.check_expected
    END AS problem_zh,
    CASE
        WHEN c.id_length <> 18
            THEN 'it has ' || CAST(c.id_length AS VARCHAR) || ' characters, not 18'
        WHEN NOT c.well_formed THEN 'only digits are allowed, and X as the last character'
        WHEN c.y < 1900
            THEN 'the birth year ' || substr(c.id_number, 7, 4) || ' in it is before 1900'
        WHEN NOT c.real_date
            THEN 'the birth date ' || substr(c.id_number, 7, 8) || ' in it is not a real date'
        WHEN c.id_birth_date > params.period_end
            THEN 'the birth date ' || CAST(c.id_birth_date AS VARCHAR)
                || ' in it is after the period end'
        WHEN c.check_given <> c.check_expected
            THEN 'the check character is ' || c.check_given || ' but should be '
                || c.check_expected
    END AS problem_en
FROM checked AS c
CROSS JOIN audit_params AS params
