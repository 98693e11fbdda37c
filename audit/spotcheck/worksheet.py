"""The field worksheet's layout as data: sheets, columns, headers, answer codes.

The writer (`plan`) and the reader (`score`) both read this module, so a
column is added or renamed in one place. Headers are two rows: Chinese for
the field team, English below it; data start on row 3. Register values and
answers are shown as the Chinese label of their code (上环, 初婚, 是); the
reader accepts the label, the canonical code and every spelling the data
contract accepts.

Column widths are chosen for paper: a women's row — IDs, names, the register
values and the blank fill-in columns beside them — fits one landscape A4 line
at a legible scale (about 140 character units), so every printed page carries
the ID and name of each woman next to the columns the team fills in.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.core.contract import BOOL_VALUES, CODE_SETS, bool_map, code_map

FORMAT = "fourcheck-spotcheck/1"  # marker in the hidden plan sheet

SHEET_COVER = "封面 Cover"
SHEET_WOMEN = "妇女 Women"
SHEET_BIRTHS = "出生 Births"
SHEET_FIELD_BIRTHS = "漏报出生 Births not on register"
SHEET_FIELD_WOMEN = "漏登妇女 Women not on register"
SHEET_PLAN = "_plan"  # very hidden: the plan as JSON and its checksum
SHEETS = (SHEET_COVER, SHEET_WOMEN, SHEET_BIRTHS, SHEET_FIELD_BIRTHS, SHEET_FIELD_WOMEN, SHEET_PLAN)

HEADER_ROWS = 2  # row 1 Chinese, row 2 English
FIELD_SHEET_ROWS = 300  # prepared (validated, unlocked) rows on the two field-only sheets
PLAN_CHUNK = 30000  # characters of plan JSON per cell (Excel holds at most 32,767)

# Answer codes that are not in the data contract: code -> (label shown, other spellings).
WOMAN_FOUND: dict[str, tuple[str, ...]] = {
    "found": ("属实", "在册属实", "找到", "核实", "是", "yes"),
    "not_found": ("查无此人", "查无", "无此人", "否", "no", "not found"),
}
BIRTH_FOUND: dict[str, tuple[str, ...]] = {
    "confirmed": ("属实", "确认", "核实", "是", "yes"),
    "not_found": ("查无此出生", "查无", "无此出生", "否", "no", "not found"),
}
BOOL_LABELS = {True: "是", False: "否"}
SEX_LABELS = {"M": "男", "F": "女"}


@dataclass(frozen=True)
class Col:
    name: str  # canonical name
    zh: str
    en: str
    kind: str  # "key" (locked, must match the plan), "answer" (validated), "note" (free text)
    codes: str | None = None  # a contract code set, "bool", "int", "date", "woman_found", ...
    width: float = 12
    required: bool = False  # for rows of the field-only sheets


REGISTER_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    # (field, Chinese, English, code set)
    ("method", "避孕方法", "method", "method"),
    ("marital_status", "婚姻状况", "marital status", "marital_status"),
    ("children", "现有子女数", "children", "int"),
    ("pregnant", "孕情", "pregnant", "bool"),
    ("residence", "居住状态", "residence", "residence"),
)

WOMEN_COLUMNS: tuple[Col, ...] = (
    Col("no", "序号", "No.", "key", width=4.5),
    Col("village_code", "村代码", "village code", "key", width=13.5),
    Col("group_no", "组", "group", "key", width=4.5),
    Col("central_household", "中心户", "central household", "key", width=8),
    Col("person_id", "身份证号", "ID number", "key", width=19.5),
    Col("name", "姓名", "name", "key", width=7.5),
    *(
        Col(f, f"{zh}（登记）", f"{en} (register)", "key", c, 6.5)
        for f, zh, en, c in REGISTER_FIELDS
    ),
    Col("verification", "核实结果", "verification", "answer", "woman_found", 8.5),
    *(
        Col(f"{f}_field", f"{zh}（核实）", f"{en} (field)", "answer", c, 7.5)
        for f, zh, en, c in REGISTER_FIELDS
    ),
    Col("remark", "备注", "remark", "note", width=14),
)

BIRTHS_COLUMNS: tuple[Col, ...] = (
    Col("no", "序号", "No.", "key", width=6),
    Col("village_code", "村代码", "village code", "key", width=14),
    Col("central_household", "中心户", "central household", "key", width=12),
    Col("birth_id", "出生编号", "birth ID", "key", width=14),
    Col("mother_id", "母亲身份证号", "mother's ID number", "key", width=21),
    Col("mother_name", "母亲姓名", "mother's name", "key", width=9),
    Col("child_name", "婴儿姓名", "child's name", "key", width=9),
    Col("child_sex", "婴儿性别", "child's sex", "key", "sex", 8),
    Col("child_birth_date", "出生日期", "birth date", "key", width=12),
    Col("birth_order", "孩次", "birth order", "key", width=6),
    Col("verification", "核实结果", "verification", "answer", "birth_found", 12),
    Col("remark", "备注", "remark", "note", width=24),
)

FIELD_BIRTHS_COLUMNS: tuple[Col, ...] = (
    Col(
        "household",
        "村代码/中心户",
        "village code/central household",
        "answer",
        "household",
        26,
        True,
    ),
    Col("mother_id", "母亲身份证号", "mother's ID number", "answer", "id", 21, True),
    Col("mother_name", "母亲姓名", "mother's name", "note", width=10),
    Col("child_name", "婴儿姓名", "child's name", "note", width=10),
    Col("child_sex", "婴儿性别", "child's sex", "answer", "sex", 9, True),
    Col("child_birth_date", "出生日期", "birth date (YYYY-MM-DD)", "answer", "date", 14, True),
    Col("remark", "备注", "remark", "note", width=24),
)

FIELD_WOMEN_COLUMNS: tuple[Col, ...] = (
    Col(
        "household",
        "村代码/中心户",
        "village code/central household",
        "answer",
        "household",
        26,
        True,
    ),
    Col("person_id", "身份证号", "ID number", "answer", "id", 21, True),
    Col("name", "姓名", "name", "note", width=10),
    *(Col(f, zh, en, "answer", c, 11) for f, zh, en, c in REGISTER_FIELDS),
    Col("remark", "备注", "remark", "note", width=24),
)


def label(code_set: str, code: object) -> str:
    """The Chinese label a worksheet shows for a canonical value (empty for None)."""
    if code is None:
        return ""
    if code_set == "bool":
        return BOOL_LABELS[bool(code)]
    if code_set == "sex":
        return SEX_LABELS.get(str(code), str(code))
    if code_set == "woman_found":
        return WOMAN_FOUND[str(code)][0]
    if code_set == "birth_found":
        return BIRTH_FOUND[str(code)][0]
    if code_set in CODE_SETS:
        spellings = CODE_SETS[code_set].get(str(code))
        return spellings[0] if spellings else str(code)
    return str(code)


def choices(code_set: str) -> list[str]:
    """The dropdown list of a code column, in code order."""
    if code_set == "bool":
        return [BOOL_LABELS[True], BOOL_LABELS[False]]
    if code_set == "woman_found":
        return [v[0] for v in WOMAN_FOUND.values()]
    if code_set == "birth_found":
        return [v[0] for v in BIRTH_FOUND.values()]
    return [label(code_set, c) for c in CODE_SETS[code_set]]


def accepted(code_set: str) -> dict[str, object]:
    """Folded spelling -> canonical value, for reading answers."""
    if code_set == "bool":
        out: dict[str, object] = dict(bool_map())
        for value, spellings in BOOL_VALUES.items():
            out[BOOL_LABELS[value]] = value
            for s in spellings:
                out[s.lower()] = value
        return out
    if code_set in ("woman_found", "birth_found"):
        table = WOMAN_FOUND if code_set == "woman_found" else BIRTH_FOUND
        return {s.strip().lower(): code for code, names in table.items() for s in (code, *names)}
    out = dict(code_map(code_set))
    for code in CODE_SETS[code_set]:
        out[label(code_set, code).lower()] = code
    return out


def household_label(village_code: str, household: str) -> str:
    """How a sampled household is named in the dropdowns of the field-only sheets."""
    return f"{village_code}/{household}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s
