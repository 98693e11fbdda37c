-- id-birthdate: a woman on the register whose birth_date differs from the birth date inside
-- her ID number. Only valid IDs are compared (id-format reports the others); an empty
-- birth_date is the loader's business.
-- Detail columns: name, birth_date, id_birth_date (both YYYY-MM-DD text).
SELECT DISTINCT
    w.person_id AS record,
    w.village_code,
    COALESCE(w.name, '') AS name,
    CAST(w.birth_date AS VARCHAR) AS birth_date,
    CAST(i.id_birth_date AS VARCHAR) AS id_birth_date
FROM women AS w
JOIN (
    SELECT DISTINCT id_number, id_birth_date
    FROM stat_ids
    WHERE table_name = 'women' AND id_valid
) AS i ON i.id_number = w.person_id
WHERE w.birth_date IS NOT NULL
    AND w.birth_date <> i.id_birth_date
ORDER BY record, village_code, birth_date
