-- x_latest_long_acting: per woman, the latest long-acting procedure on file up to the period end
-- (放环/取环/女扎/男扎/皮埋/取皮埋; abortion and induced labour are not long-acting and are ignored).
-- Latest = greatest (procedure_date, procedure_id, procedure), so equal dates break ties
-- deterministically. Taken as the max of one struct rather than several arg_max calls: DuckDB's
-- arg_max skips NULL values and Spark's MAX_BY does not, so separate calls could mix rows.
-- Rows without person_id or procedure_date cannot be placed and are skipped; an empty
-- procedure_id ranks lowest (engines order NULL struct fields differently).
-- Columns (stable; also read by the report views):
--   person_id       the woman (for a vasectomy: the wife)
--   procedure_id, procedure, procedure_date   that procedure
--   method_implied  the method it puts her on: iud, tubal_ligation, vasectomy, implant; NULL for a removal
--   method_removed  the method a removal ends: iud, implant; NULL otherwise
CREATE OR REPLACE VIEW x_latest_long_acting AS
SELECT
    latest.person_id,
    NULLIF(latest.top.i, '') AS procedure_id,
    latest.top.p AS procedure,
    latest.top.d AS procedure_date,
    CASE latest.top.p
        WHEN 'iud_insert' THEN 'iud'
        WHEN 'tubal_ligation' THEN 'tubal_ligation'
        WHEN 'vasectomy' THEN 'vasectomy'
        WHEN 'implant_insert' THEN 'implant'
    END AS method_implied,
    CASE latest.top.p
        WHEN 'iud_remove' THEN 'iud'
        WHEN 'implant_remove' THEN 'implant'
    END AS method_removed
FROM (
    SELECT
        procedures.person_id,
        max(
            struct_pack(
                d := procedures.procedure_date,
                i := COALESCE(procedures.procedure_id, ''),
                p := procedures.procedure
            )
        ) AS top
    FROM procedures
    CROSS JOIN audit_params AS params
    WHERE procedures.procedure IN (
            'iud_insert', 'iud_remove', 'tubal_ligation', 'vasectomy',
            'implant_insert', 'implant_remove'
        )
        AND procedures.person_id IS NOT NULL
        AND procedures.procedure_date IS NOT NULL
        AND procedures.procedure_date <= params.period_end
    GROUP BY procedures.person_id
) AS latest
