-- x_women_person: one register row per person_id of `women`, for looking a person up from
-- another ledger (name, village, state). A person_id on the register twice (dup-person) resolves
-- to the least row by village_code, group_no, name and then every other column, so lookups stay
-- one-to-one and deterministic; register_rows says how many rows she has.
-- Persons on the register once (nearly all) are copied straight; only the few with several rows
-- go through a GROUP BY taking the min of a struct of the row: cheaper than a window over the
-- register, and whole rows are kept together (arg_min would skip NULL values in DuckDB only).
-- Comparing structs of every person cost 5-8 times this at 1M women (same table).
-- A table built once per audit, not a view: six checks and two views look persons up here, and
-- a view would repeat the GROUP BY over the whole register in each of them.
-- Each nullable field is preceded by its own IS NULL flag: DuckDB orders a NULL struct field
-- after every value and Spark before, so the flag decides first and both engines put NULL last
-- (DuckDB's order, as before); two NULLs compare equal in both.
-- Columns (stable): person_id, name, village_code, group_no, marital_status, residence, method,
-- method_date, pregnant, pregnancy_date, register_rows.
CREATE OR REPLACE TABLE x_women_person AS
WITH counted AS (
    SELECT person_id, count(*) AS register_rows
    FROM women
    WHERE person_id IS NOT NULL
    GROUP BY person_id
),
chosen AS (
    SELECT
        w.person_id,
        min(
            struct_pack(
                v0 := w.village_code IS NULL, v := w.village_code,
                g0 := w.group_no IS NULL, g := w.group_no,
                n0 := w.name IS NULL, n := w.name,
                b0 := w.birth_date IS NULL, b := w.birth_date,
                r0 := w.residence IS NULL, r := w.residence,
                s0 := w.marital_status IS NULL, s := w.marital_status,
                md0 := w.marriage_date IS NULL, md := w.marriage_date,
                m0 := w.method IS NULL, m := w.method,
                mt0 := w.method_date IS NULL, mt := w.method_date,
                c0 := w.children IS NULL, c := w.children,
                p0 := w.pregnant IS NULL, p := w.pregnant,
                pd0 := w.pregnancy_date IS NULL, pd := w.pregnancy_date,
                h0 := w.central_household IS NULL, h := w.central_household
            )
        ) AS first_row
    FROM women AS w
    JOIN counted AS c ON c.person_id = w.person_id AND c.register_rows > 1
    GROUP BY w.person_id
)
-- One row per person: her only register row, or the chosen one of several.
SELECT
    c.person_id,
    CASE WHEN c.register_rows = 1 THEN w.name ELSE chosen.first_row.n END AS name,
    CASE WHEN c.register_rows = 1 THEN w.village_code ELSE chosen.first_row.v END AS village_code,
    CASE WHEN c.register_rows = 1 THEN w.group_no ELSE chosen.first_row.g END AS group_no,
    CASE WHEN c.register_rows = 1 THEN w.marital_status ELSE chosen.first_row.s END AS marital_status,
    CASE WHEN c.register_rows = 1 THEN w.residence ELSE chosen.first_row.r END AS residence,
    CASE WHEN c.register_rows = 1 THEN w.method ELSE chosen.first_row.m END AS method,
    CASE WHEN c.register_rows = 1 THEN w.method_date ELSE chosen.first_row.mt END AS method_date,
    CASE WHEN c.register_rows = 1 THEN w.pregnant ELSE chosen.first_row.p END AS pregnant,
    CASE WHEN c.register_rows = 1 THEN w.pregnancy_date ELSE chosen.first_row.pd END AS pregnancy_date,
    c.register_rows
FROM counted AS c
LEFT JOIN women AS w ON w.person_id = c.person_id AND c.register_rows = 1
LEFT JOIN chosen ON chosen.person_id = c.person_id
