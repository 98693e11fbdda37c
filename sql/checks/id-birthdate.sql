-- id-birthdate: a woman on the register whose birth_date differs from the birth date inside
-- her ID number. Only valid IDs are compared (id-format reports the others); an empty
-- birth_date is the loader's business. The ID's date comes from stat_id_numbers (parsed once).
-- Detail columns: name, birth_date, id_birth_date (both YYYY-MM-DD text).
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    COALESCE(w.name, '') AS name,
    CAST(w.birth_date AS VARCHAR) AS birth_date,
    CAST(i.id_birth_date AS VARCHAR) AS id_birth_date
FROM women AS w
INNER JOIN stat_id_numbers AS i ON i.id_number = w.person_id
WHERE i.id_valid
    AND w.birth_date IS NOT NULL
    AND w.birth_date <> i.id_birth_date
ORDER BY record, village_code, birth_date
