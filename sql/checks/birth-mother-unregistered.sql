-- birth-mother-unregistered (漏登): a birth whose mother_id is neither on the register of women
-- nor in the floating-population register. Births without a mother_id are the loader's.
-- Detail columns: mother_id, child_name, child_birth_date.
SELECT
    b.birth_id AS record,
    b.village_code,
    b.mother_id,
    COALESCE(b.child_name, '') AS child_name,
    COALESCE(CAST(b.child_birth_date AS VARCHAR), '?') AS child_birth_date
FROM births AS b
WHERE b.birth_id IS NOT NULL
    AND b.mother_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM women AS w WHERE w.person_id = b.mother_id)
    AND NOT EXISTS (SELECT 1 FROM migrants AS m WHERE m.person_id = b.mother_id)
ORDER BY record
