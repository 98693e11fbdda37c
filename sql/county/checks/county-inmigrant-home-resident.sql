-- county-inmigrant-home-resident (流出地未登记流出): a woman township B records as an in-migrant
-- (c_in_records: residence = in on its register, or an open in row) who is on the register of
-- another township A of the county as resident (常住). A must record her move (residence = out
-- and an open out row, 流出登记), so the finding is sent to A: record = A's register row,
-- "<A township_code>|<person_id>" (table women), village_code = her village in A.
-- Detail columns: person_id, name, others (the townships recording her as an in-migrant, name
-- and code, comma-separated).
SELECT
    r.township_code || '|' || r.person_id AS record,
    r.village_code,
    r.person_id,
    r.name,
    string_agg(
        COALESCE(t.township_name || ' ', '') || i.township_code, ', ' ORDER BY i.township_code
    ) AS others
FROM c_register AS r
INNER JOIN c_in_records AS i
    ON i.person_id = r.person_id AND i.township_code <> r.township_code
LEFT JOIN county_townships AS t ON t.township_code = i.township_code
WHERE r.residence = 'resident'
GROUP BY r.township_code, r.person_id, r.name, r.village_code
ORDER BY record
