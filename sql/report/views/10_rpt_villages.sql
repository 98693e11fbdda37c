-- The township's villages as the statistics ledger knows them: every village code on the
-- register of women or with a village row in the monthly report. Used to tell a village's
-- supply point (point_code = its village code) from a township station.
CREATE OR REPLACE VIEW rpt_villages AS
SELECT DISTINCT village_code
FROM (
    SELECT w.village_code FROM women AS w WHERE w.village_code IS NOT NULL
    UNION ALL
    SELECT r.unit_code FROM stat_reports AS r WHERE r.level = 'village' AND r.unit_code IS NOT NULL
) AS known
