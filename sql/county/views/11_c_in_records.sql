-- c_in_records: the persons each township records as living there as in-migrants (流入): on its
-- register with residence = in, or with an open in row (direction in, no return_date) in its
-- floating-population register. One row per (township, person).
-- Columns: township_code, person_id.
CREATE OR REPLACE VIEW c_in_records AS
SELECT township_code, person_id
FROM women
WHERE residence = 'in' AND person_id IS NOT NULL
UNION
SELECT township_code, person_id
FROM migrants
WHERE direction = 'in' AND return_date IS NULL AND person_id IS NOT NULL
