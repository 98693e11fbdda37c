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
)
SELECT
    w.person_id, w.name, w.village_code, w.group_no, w.marital_status, w.residence, w.method,
    w.method_date, w.pregnant, w.pregnancy_date, c.register_rows
FROM women AS w
JOIN counted AS c ON c.person_id = w.person_id AND c.register_rows = 1
UNION ALL
SELECT
    chosen.person_id,
    chosen.first_row.n AS name,
    chosen.first_row.v AS village_code,
    chosen.first_row.g AS group_no,
    chosen.first_row.s AS marital_status,
    chosen.first_row.r AS residence,
    chosen.first_row.m AS method,
    chosen.first_row.mt AS method_date,
    chosen.first_row.p AS pregnant,
    chosen.first_row.pd AS pregnancy_date,
    chosen.register_rows
FROM (
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
        ) AS first_row,
        count(*) AS register_rows
    FROM women AS w
    JOIN counted AS c ON c.person_id = w.person_id AND c.register_rows > 1
    GROUP BY w.person_id
) AS chosen
