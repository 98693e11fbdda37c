-- stat_ids: every resident ID number (居民身份证号码, GB 11643-1999) in the submission, one row
-- per (table, record, ID column), with the ID rules of stat_id_numbers (each distinct ID parsed
-- once per audit): shape, the birth date inside it, the MOD 11-2 check character.
-- A check that filters on the parsed columns (NOT id_valid, is_male) lets the engine build its
-- join from the few IDs that qualify and only probe the ledgers' ID columns with it.
-- Empty IDs and rows without a primary key are left out: the loader reports those.
-- village_code: the row's own; for migrant_births (no village column) the mother's register
-- village, else her floating-population village (x_women_person, x_migrant_person).
-- Columns (stable): table_name, record, id_column, id_number, village_code, id_valid,
--   id_birth_date (DATE, when the ID holds a real date), is_male (valid IDs: 17th digit odd),
--   id_region (6-digit division code of a well-formed ID),
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
)
SELECT
    ids.table_name,
    ids.record,
    ids.id_column,
    ids.id_number,
    ids.village_code,
    n.id_valid,
    n.id_birth_date,
    n.is_male,
    n.id_region,
    n.problem_zh,
    n.problem_en
FROM ids
INNER JOIN stat_id_numbers AS n ON n.id_number = ids.id_number
WHERE ids.record IS NOT NULL
