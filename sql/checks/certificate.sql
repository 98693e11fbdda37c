-- certificate (婚育证明): an open out row (direction out, return_date empty) of a married woman
-- — married or remarried per the migrants row, or per the women's register when the row's
-- marital_status is empty — with no certificate_no, or with certificate_expiry before the
-- period end (valid on its expiry day). A number with no expiry date is not called expired.
-- village_code: the row's home village, else her register village.
-- Detail columns: person, certificate_no, certificate_expiry, problem_zh/_en.
SELECT
    om.migrant_id AS record,
    COALESCE(om.village_code, w.village_code) AS village_code,
    CONCAT_WS(' ', COALESCE(w.name, om.name), om.person_id) AS person,
    om.certificate_no,
    om.certificate_expiry,
    CASE
        WHEN COALESCE(TRIM(om.certificate_no), '') = '' THEN '没有婚育证明'
        ELSE '婚育证明 ' || TRIM(om.certificate_no) || ' 已于 '
            || CAST(om.certificate_expiry AS VARCHAR) || ' 过期'
    END AS problem_zh,
    CASE
        WHEN COALESCE(TRIM(om.certificate_no), '') = ''
            THEN 'no marriage-and-childbearing certificate'
        ELSE 'marriage-and-childbearing certificate ' || TRIM(om.certificate_no)
            || ' expired on ' || CAST(om.certificate_expiry AS VARCHAR)
    END AS problem_en
FROM x_open_migrants AS om
CROSS JOIN audit_params AS params
LEFT JOIN x_women_person AS w ON w.person_id = om.person_id
WHERE om.direction = 'out'
    AND COALESCE(om.marital_status, w.marital_status) IN ('married', 'remarried')
    AND (
        COALESCE(TRIM(om.certificate_no), '') = ''
        OR om.certificate_expiry < params.period_end
    )
ORDER BY record
