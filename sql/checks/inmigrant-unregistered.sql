-- inmigrant-unregistered (流入漏登): an open in row of the floating-population register
-- (direction in, return_date empty) whose woman is not on the women's register as residence = in
-- — whether the register holds her with another residence or not at all.
-- village_code: the row's village of residence, else her register village.
-- Detail columns: see the view x_open_migrant_register.
SELECT record, village_code, person, since_zh, since_en, register_zh, register_en
FROM x_open_migrant_register
WHERE direction = 'in'
ORDER BY record
