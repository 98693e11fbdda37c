-- x_open_migrants: floating-population rows still open at the period end (return_date empty):
-- direction 'out' = a local woman away (流出在外), 'in' = an outside woman living here (流入).
-- One row per open migrants row; a row without a direction is kept (direction NULL).
-- Columns (stable; also read by the report views): migrant_id, person_id, name, direction,
-- village_code (home village for out, village of residence for in), move_date, place,
-- marital_status, certificate_no, certificate_expiry, last_feedback_date.
CREATE OR REPLACE VIEW x_open_migrants AS
SELECT
    m.migrant_id,
    m.person_id,
    m.name,
    m.direction,
    m.village_code,
    m.move_date,
    m.place,
    m.marital_status,
    m.certificate_no,
    m.certificate_expiry,
    m.last_feedback_date
FROM migrants AS m
WHERE m.return_date IS NULL
