-- stat_ids: every resident ID number (居民身份证号码, GB 11643-1999) in the submission, one row
-- per (table, record, ID column), with the ID rules computed once: shape (18 characters,
-- 17 digits and a digit or X), the birth date inside it (a real calendar date, 1900 or later,
-- not after the period end), and the ISO 7064 MOD 11-2 check character.
-- Empty IDs and rows without a primary key are left out: the loader reports those.
-- Every CAST of ID text sits inside a CASE whose guard has proved the text is digits, so no
-- engine ever casts a malformed ID (a WHERE conjunction may be reordered; a CASE may not).
-- village_code: the row's own; for migrant_births (no village column) the mother's register
-- village, else her floating-population village (x_women_person, x_migrant_person).
-- Columns (stable): table_name, record, id_column, id_number, village_code, id_valid,
--   id_birth_date (DATE, when the ID holds a real date), is_male (valid IDs: 17th digit odd),
--   problem_zh, problem_en (why an invalid ID is invalid; NULL when valid).
CREATE OR REPLACE VIEW stat_ids AS
WITH ids AS (
    SELECT 'women' AS table_name, person_id AS record, 'person_id' AS id_column,
           person_id AS id_number, village_code
    FROM women
    UNION ALL
    SELECT 'births', birth_id, 'mother_id', mother_id, village_code FROM births
    UNION ALL
    SELECT 'supply_issues', issue_id, 'person_id', person_id, village_code FROM supply_issues
    UNION ALL
    SELECT 'procedures', procedure_id, 'person_id', person_id, village_code FROM procedures
    UNION ALL
    SELECT 'checkups', checkup_id, 'person_id', person_id, village_code FROM checkups
    UNION ALL
    SELECT 'migrants', migrant_id, 'person_id', person_id, village_code FROM migrants
    UNION ALL
    SELECT 'migrant_births', mb.report_id, 'mother_id', mb.mother_id,
           COALESCE(wp.village_code, mp.village_code)
    FROM migrant_births AS mb
    LEFT JOIN x_women_person AS wp ON wp.person_id = mb.mother_id
    LEFT JOIN x_migrant_person AS mp ON mp.person_id = mb.mother_id
),
shaped AS (
    SELECT
        ids.table_name,
        ids.record,
        ids.id_column,
        ids.id_number,
        ids.village_code,
        length(ids.id_number) AS id_length,
        upper(substr(ids.id_number, 18, 1)) AS check_given,
        length(ids.id_number) = 18
            AND translate(substr(ids.id_number, 1, 17), '0123456789', '') = ''
            AND translate(upper(substr(ids.id_number, 18, 1)), '0123456789X', '') = ''
            AS well_formed
    FROM ids
    WHERE ids.record IS NOT NULL
        AND ids.id_number IS NOT NULL
        AND trim(ids.id_number) <> ''
),
parts AS (
    SELECT
        shaped.*,
        CASE WHEN well_formed THEN CAST(substr(id_number, 7, 4) AS INTEGER) END AS y,
        CASE WHEN well_formed THEN CAST(substr(id_number, 11, 2) AS INTEGER) END AS m,
        CASE WHEN well_formed THEN CAST(substr(id_number, 13, 2) AS INTEGER) END AS d,
        CASE WHEN well_formed THEN (
            CAST(substr(id_number, 1, 1) AS INTEGER) * 7
            + CAST(substr(id_number, 2, 1) AS INTEGER) * 9
            + CAST(substr(id_number, 3, 1) AS INTEGER) * 10
            + CAST(substr(id_number, 4, 1) AS INTEGER) * 5
            + CAST(substr(id_number, 5, 1) AS INTEGER) * 8
            + CAST(substr(id_number, 6, 1) AS INTEGER) * 4
            + CAST(substr(id_number, 7, 1) AS INTEGER) * 2
            + CAST(substr(id_number, 8, 1) AS INTEGER) * 1
            + CAST(substr(id_number, 9, 1) AS INTEGER) * 6
            + CAST(substr(id_number, 10, 1) AS INTEGER) * 3
            + CAST(substr(id_number, 11, 1) AS INTEGER) * 7
            + CAST(substr(id_number, 12, 1) AS INTEGER) * 9
            + CAST(substr(id_number, 13, 1) AS INTEGER) * 10
            + CAST(substr(id_number, 14, 1) AS INTEGER) * 5
            + CAST(substr(id_number, 15, 1) AS INTEGER) * 8
            + CAST(substr(id_number, 16, 1) AS INTEGER) * 4
            + CAST(substr(id_number, 17, 1) AS INTEGER) * 2
        ) % 11 END AS check_index
    FROM shaped
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
        substr('10X98765432', check_index + 1, 1) AS check_expected
    FROM parts
),
checked AS (
    SELECT
        dated.*,
        CASE WHEN real_date THEN CAST(
            substr(id_number, 7, 4) || '-' || substr(id_number, 11, 2) || '-'
            || substr(id_number, 13, 2) AS DATE
        ) END AS id_birth_date
    FROM dated
)
SELECT
    c.table_name,
    c.record,
    c.id_column,
    c.id_number,
    c.village_code,
    c.well_formed AND c.real_date AND c.id_birth_date <= params.period_end
        AND c.check_given = c.check_expected AS id_valid,
    c.id_birth_date,
    CASE
        WHEN c.well_formed AND c.real_date AND c.id_birth_date <= params.period_end
            AND c.check_given = c.check_expected
            THEN CAST(substr(c.id_number, 17, 1) AS INTEGER) % 2 = 1
    END AS is_male,
    CASE
        WHEN c.id_length <> 18
            THEN '长度为 ' || CAST(c.id_length AS VARCHAR) || ' 位，应为 18 位'
        WHEN NOT c.well_formed THEN '只能由数字组成（末位可为 X）'
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
