-- x_women_person: one register row per person_id of `women`, for looking a person up from
-- another ledger (name, village, state). A person_id on the register twice (dup-person) resolves
-- to the least row by village_code, group_no, name and then every other column, so lookups stay
-- one-to-one and deterministic; register_rows says how many rows she has.
-- One GROUP BY taking the min of a struct of the row: far cheaper than a window over the
-- register, and whole rows are kept together (arg_min would skip NULL values in DuckDB only).
-- A table built once per audit, not a view: six checks and two views look persons up here, and
-- a view would repeat the GROUP BY over the whole register in each of them.
-- Columns (stable): person_id, name, village_code, group_no, marital_status, residence, method,
-- method_date, pregnant, pregnancy_date, register_rows.
CREATE OR REPLACE TABLE x_women_person AS
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
                v := w.village_code, g := w.group_no, n := w.name, b := w.birth_date,
                r := w.residence, s := w.marital_status, md := w.marriage_date, m := w.method,
                mt := w.method_date, c := w.children, p := w.pregnant, pd := w.pregnancy_date,
                h := w.central_household
            )
        ) AS first_row,
        count(*) AS register_rows
    FROM women AS w
    WHERE w.person_id IS NOT NULL
    GROUP BY w.person_id
) AS chosen
