-- migrant-status: an open out row of the floating-population register (direction out,
-- return_date empty) whose woman is not residence = out on the women's register — whether the
-- register gives another residence or does not hold her at all.
-- village_code: the row's home village, else her register village.
-- Detail columns: see the view x_open_migrant_register.
SELECT record, village_code, person, since_zh, since_en, register_zh, register_en
FROM x_open_migrant_register
WHERE direction = 'out'
ORDER BY record
