-- county-dup-person (跨乡镇重复登记): the same person_id on the registers (women) of two or more
-- townships of the county on the same side of the books: counted as their own (resident or
-- out-migrant) by two townships — one household registration can have one home township — or
-- as an in-migrant by two townships — she lives in one place. Her being local in A and an
-- in-migrant in B is a migration, left to county-inmigrant-home-resident.
-- One finding per township holding such a row: every one of them must check it.
-- record = "<township_code>|<person_id>"; village_code = her village in that township.
-- Detail columns: person_id, name, residence, residence_zh, others (the other townships,
-- name and code, comma-separated), others_count.
WITH clash AS (
    SELECT
        a.township_code,
        a.person_id,
        a.name,
        a.village_code,
        a.residence,
        b.township_code AS other_code,
        COALESCE(t.township_name || ' ', '') || b.township_code AS other_label
    FROM c_register AS a
    INNER JOIN c_register AS b
        ON a.person_id = b.person_id
        AND a.side = b.side
        AND a.township_code <> b.township_code
    LEFT JOIN county_townships AS t ON t.township_code = b.township_code
)

SELECT
    township_code || '|' || person_id AS record,
    village_code,
    person_id,
    name,
    residence,
    CASE residence WHEN 'in' THEN '流入' WHEN 'out' THEN '流出' ELSE '常住' END AS residence_zh,
    string_agg(other_label, ', ' ORDER BY other_code) AS others,
    count(*) AS others_count
FROM clash
GROUP BY township_code, person_id, name, village_code, residence
ORDER BY record
