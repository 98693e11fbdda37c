"""`audit spotcheck score`: read a completed field worksheet and score it.

Design decisions:

- The hidden plan sheet is the source of truth for the sample: its JSON must
  match its SHA-256, and every locked cell of the women and births sheets
  (keys and register values) must still show what the plan wrote there, row
  for row. Anything else is tampering or damage and stops the scoring
  (exit 2) with a message naming sheet, row, column, expected and found.
- Every problem in the answers is collected first and reported together (up
  to 30 lines), so a field team fixes the worksheet in one pass.
- Answers are read as the contract reads data: the dropdown's Chinese label,
  the canonical code, or any accepted spelling; numbers and dates as Excel or
  WPS saved them.
- A register field left blank on the register but found in the field counts
  as an error of the register, like a wrong value.
- Each household's findings become one `HouseholdTally`; the statistics are in
  audit.core.spotcheck.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from audit.core import spotcheck as stats
from audit.core.exitcodes import AuditError
from audit.spotcheck import worksheet as ws
from audit.spotcheck.messages import message
from audit.spotcheck.plan import Plan, births_key_cell, checksum, women_key_cell

MAX_LISTED_PROBLEMS = 30


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int  # 1-based, as Excel shows it
    col: int  # 0-based
    header: str
    what: str

    def text(self, lang: str) -> str:
        return message(
            "at",
            lang,
            sheet=self.sheet,
            row=self.row,
            col=ws.column_letter(self.col),
            header=self.header,
            what=self.what,
        )


@dataclass
class _Household:
    women_listed: int = 0
    women_found: int = 0
    women_field_only: int = 0
    field_errors: list[int] = field(default_factory=lambda: [0] * len(stats.FIELDS))
    births_listed: int = 0
    births_confirmed: int = 0
    births_field_only: int = 0
    defective: set[str] = field(default_factory=set)  # person ids of defective records
    records: int = 0


@dataclass(frozen=True)
class ScoredWorksheet:
    plan: Plan
    tallies: tuple[stats.HouseholdTally, ...]


def read_worksheet(path: Path, *, lang: str = "zh") -> ScoredWorksheet:
    """The plan and the households' tallies of a completed worksheet; AuditError if unusable."""
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise AuditError(message("not-found", lang, path=path))
    try:
        wb = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise AuditError(
            message("not-xlsx", lang, path=path, detail=str(e) or type(e).__name__)
        ) from None
    except Exception as e:  # openpyxl raises its own InvalidFileException and others
        raise AuditError(
            message("not-xlsx", lang, path=path, detail=str(e) or type(e).__name__)
        ) from None
    try:
        for name in ws.SHEETS:
            if name not in wb.sheetnames:
                raise AuditError(message("missing-sheet", lang, path=path, sheet=name))
        plan = _read_plan(wb[ws.SHEET_PLAN], path, lang)
        reader = _Reader(plan, lang)
        reader.women(_rows(wb[ws.SHEET_WOMEN]))
        reader.births(_rows(wb[ws.SHEET_BIRTHS]))
        reader.field_women(_rows(wb[ws.SHEET_FIELD_WOMEN]))
        reader.field_births(_rows(wb[ws.SHEET_FIELD_BIRTHS]))
    finally:
        wb.close()
    if reader.problems:
        lines = [message("problems", lang, path=path, count=len(reader.problems))]
        lines += ["  " + p.text(lang) for p in reader.problems[:MAX_LISTED_PROBLEMS]]
        if len(reader.problems) > MAX_LISTED_PROBLEMS:
            rest = len(reader.problems) - MAX_LISTED_PROBLEMS
            lines.append("  " + message("more-problems", lang, count=rest))
        raise AuditError("\n".join(lines))
    return ScoredWorksheet(plan, reader.tallies())


def score_worksheet(
    path: Path,
    *,
    lqas: stats.LqasSettings | None = None,
    confidence: float = 0.95,
    lang: str = "zh",
) -> stats.SpotcheckScore:
    settings = lqas or stats.LqasSettings()
    settings.validate()
    stats.z_value(confidence)
    sheet = read_worksheet(path, lang=lang)
    plan = sheet.plan
    meta = {
        "worksheet": Path(path).name,
        "township_code": plan.township_code,
        "township_name": plan.township_name,
        "period": plan.period,
        "window": {"start": plan.window_start, "end": plan.window_end},
        "seed": plan.seed,
        "design": {
            "allocation": plan.allocation,
            "size": plan.size,
            "households_frame": sum(v.households_frame for v in plan.villages),
            "households": sum(len(v.households) for v in plan.villages),
        },
    }
    return stats.score(sheet.tallies, plan.design, confidence=confidence, lqas=settings, meta=meta)


# --- reading cells ---------------------------------------------------------------------------


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def _text(v: Any) -> str:
    """A cell as the text it shows, for comparing keys (numbers without '.0', dates ISO)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _cell(row: tuple[Any, ...], c: int) -> Any:
    return row[c] if c < len(row) else None


def _empty(row: tuple[Any, ...]) -> bool:
    return all(_text(v) == "" for v in row)


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool) and 1 <= v <= 2958465:
        return date(1899, 12, 30) + timedelta(days=int(v))  # an Excel serial day number
    text = _text(v)
    m = _DATE.match(text) or _DATE_COMPACT.match(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _read_plan(sheet: Any, path: Path, lang: str) -> Plan:
    col = [_text(r[0]) if r else "" for r in sheet.iter_rows(max_col=1, values_only=True)]

    def damaged(detail: str) -> AuditError:
        return AuditError(
            message("plan-damaged", lang, path=path, sheet=ws.SHEET_PLAN, detail=detail)
        )

    if len(col) < 3 or col[0] != ws.FORMAT:
        raise damaged(f"A1 is not {ws.FORMAT!r}")
    text = "".join(col[2:])
    if checksum(text) != col[1]:
        raise damaged("checksum mismatch")
    try:
        return Plan.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as e:
        raise damaged(str(e)) from None


class _Reader:
    """Walks the four sheets, collecting problems and the households' tallies."""

    def __init__(self, plan: Plan, lang: str) -> None:
        self.plan = plan
        self.lang = lang
        self.problems: list[Problem] = []
        self.households: dict[tuple[str, str], _Household] = {
            hh: _Household() for hh in plan.households
        }
        self.by_label = {ws.household_label(v, h): (v, h) for v, h in plan.households}
        self.woman_row: dict[str, int] = {}  # person id -> worksheet row (listed women)
        self.woman_status: dict[str, str] = {}  # person id -> found / not_found
        self.woman_household = {w.person_id: (w.village_code, w.household) for w in plan.women}
        self.field_woman_row: dict[str, int] = {}
        self.field_woman_household: dict[str, tuple[str, str]] = {}
        self.start = date.fromisoformat(plan.window_start)
        self.end = date.fromisoformat(plan.window_end)

    # -- helpers --
    def problem(self, sheet: str, row: int, c: int, col: ws.Col, what: str) -> None:
        self.problems.append(Problem(sheet, row, c, f"{col.zh} / {col.en}", what))

    def headers(self, sheet: str, rows: list[tuple[Any, ...]], cols: tuple[ws.Col, ...]) -> bool:
        ok = True
        for r, attr in ((0, "zh"), (1, "en")):
            row = rows[r] if r < len(rows) else ()
            for c, col in enumerate(cols):
                expected, found = getattr(col, attr), _text(_cell(row, c))
                if found != expected:
                    msg = message("bad-header", self.lang, expected=expected, found=found)
                    self.problem(sheet, r + 1, c, col, msg)
                    ok = False
        return ok

    def code(
        self, sheet: str, row: int, c: int, col: ws.Col, v: Any, *, required: bool
    ) -> tuple[bool, Any]:
        """(ok, canonical value or None when blank) of an answer cell."""
        assert col.codes is not None
        text = _text(v)
        codes = col.codes
        shown = (
            "、".join(ws.choices(codes)) if codes not in ("int", "date", "id", "household") else ""
        )
        if text == "":
            if required:
                what = (
                    message("blank-answer", self.lang, codes=shown)
                    if shown
                    else message("missing-value", self.lang)
                )
                self.problem(sheet, row, c, col, what)
                return False, None
            return True, None
        if codes == "int":
            try:
                n = float(text)
            except ValueError:
                n = -1.0
            if not n.is_integer() or not 0 <= n <= 20:
                self.problem(sheet, row, c, col, message("bad-int", self.lang, value=text))
                return False, None
            return True, int(n)
        if codes == "date":
            d = _date(v)
            if d is None:
                self.problem(sheet, row, c, col, message("bad-date", self.lang, value=text))
                return False, None
            return True, d
        if codes == "id":
            return True, text.upper()
        if codes == "household":
            if text not in self.by_label:
                self.problem(
                    sheet, row, c, col, message("unknown-household", self.lang, value=text)
                )
                return False, None
            return True, self.by_label[text]
        value = ws.accepted(codes).get(text.lower())
        if value is None and isinstance(v, bool) and codes == "bool":
            value = v
        if value is None:
            self.problem(
                sheet, row, c, col, message("bad-code", self.lang, value=text, codes=shown)
            )
            return False, None
        return True, value

    def keys(
        self,
        sheet: str,
        rows: list[tuple[Any, ...]],
        cols: tuple[ws.Col, ...],
        expected: list[list[str]],
        what: list[str],
    ) -> list[int]:
        """Compare the locked cells with the plan; return the indexes of usable rows."""
        usable: list[int] = []
        for i, exp in enumerate(expected):
            r = ws.HEADER_ROWS + i
            row = rows[r] if r < len(rows) else ()
            key_cells = [c for c, col in enumerate(cols) if col.kind == "key"]
            if all(_text(_cell(row, c)) == "" for c in key_cells):
                self.problem(
                    sheet, r + 1, 0, cols[0], message("row-missing", self.lang, what=what[i])
                )
                continue
            ident = next(c for c, col in enumerate(cols) if col.name in ("person_id", "birth_id"))
            found_id = _text(_cell(row, ident))
            if found_id != exp[ident]:
                # One line for a row that holds another record: rows deleted, inserted or sorted.
                msg = message("row-moved", self.lang, expected=what[i], found=found_id)
                self.problem(sheet, r + 1, ident, cols[ident], msg)
                continue
            good = True
            for c in key_cells:
                found = _text(_cell(row, c))
                if found != exp[c]:
                    msg = message("edited", self.lang, expected=exp[c], found=found)
                    self.problem(sheet, r + 1, c, cols[c], msg)
                    good = False
            if good:
                usable.append(i)
        for r in range(ws.HEADER_ROWS + len(expected), len(rows)):
            if not _empty(rows[r]):
                target = ws.SHEET_FIELD_WOMEN if sheet == ws.SHEET_WOMEN else ws.SHEET_FIELD_BIRTHS
                self.problem(
                    sheet, r + 1, 0, cols[0], message("row-extra", self.lang, sheet=target)
                )
        return usable

    # -- sheets --
    def women(self, rows: list[tuple[Any, ...]]) -> None:
        sheet, cols = ws.SHEET_WOMEN, ws.WOMEN_COLUMNS
        if not self.headers(sheet, rows, cols):
            return
        expected = [
            [women_key_cell(w, i, col) if col.kind == "key" else "" for col in cols]
            for i, w in enumerate(self.plan.women)
        ]
        what = [f"{w.person_id} {w.name or ''}".strip() for w in self.plan.women]
        index = {col.name: c for c, col in enumerate(cols)}
        for w in self.plan.women:
            self.households[(w.village_code, w.household)].women_listed += 1
            self.households[(w.village_code, w.household)].records += 1
        for i in self.keys(sheet, rows, cols, expected, what):
            w = self.plan.women[i]
            r = ws.HEADER_ROWS + i
            row = rows[r]
            hh = self.households[(w.village_code, w.household)]
            self.woman_row[w.person_id] = r + 1
            c = index["verification"]
            ok, status = self.code(sheet, r + 1, c, cols[c], _cell(row, c), required=True)
            if not ok:
                continue
            self.woman_status[w.person_id] = str(status)
            answers = [(f, index[f"{f}_field"]) for f in stats.FIELDS]
            if status == "not_found":
                hh.defective.add(w.person_id)
                for _, c in answers:
                    if _text(_cell(row, c)) != "":
                        label = ws.label("woman_found", "not_found")
                        msg = message("answers-not-found", self.lang, label=label)
                        self.problem(sheet, r + 1, c, cols[c], msg)
                continue
            hh.women_found += 1
            for k, (f, c) in enumerate(answers):
                ok, value = self.code(sheet, r + 1, c, cols[c], _cell(row, c), required=True)
                if ok and value != getattr(w, f):
                    hh.field_errors[k] += 1
                    hh.defective.add(w.person_id)

    def births(self, rows: list[tuple[Any, ...]]) -> None:
        sheet, cols = ws.SHEET_BIRTHS, ws.BIRTHS_COLUMNS
        if not self.headers(sheet, rows, cols):
            return
        expected = [
            [births_key_cell(b, i, col) if col.kind == "key" else "" for col in cols]
            for i, b in enumerate(self.plan.births)
        ]
        what = [b.birth_id for b in self.plan.births]
        c = next(i for i, col in enumerate(cols) if col.name == "verification")
        for b in self.plan.births:
            self.households[(b.village_code, b.household)].births_listed += 1
        for i in self.keys(sheet, rows, cols, expected, what):
            b = self.plan.births[i]
            r = ws.HEADER_ROWS + i
            ok, status = self.code(sheet, r + 1, c, cols[c], _cell(rows[r], c), required=True)
            if not ok:
                continue
            hh = self.households[(b.village_code, b.household)]
            if status == "confirmed":
                hh.births_confirmed += 1
            else:
                hh.defective.add(b.mother_id)

    def _field_rows(
        self, sheet: str, rows: list[tuple[Any, ...]], cols: tuple[ws.Col, ...]
    ) -> list[tuple[int, dict[str, Any], bool]]:
        """Non-empty rows of a field-only sheet: (row number, values read, every cell valid)."""
        if not self.headers(sheet, rows, cols):
            return []
        out = []
        for r in range(ws.HEADER_ROWS, len(rows)):
            row = rows[r]
            if _empty(row):
                continue
            values: dict[str, Any] = {}
            good = True
            for c, col in enumerate(cols):
                if col.kind == "note":
                    values[col.name] = _text(_cell(row, c)) or None
                    continue
                ok, value = self.code(sheet, r + 1, c, col, _cell(row, c), required=col.required)
                good = good and ok
                values[col.name] = value
            out.append((r + 1, values, good))
        return out

    def field_women(self, rows: list[tuple[Any, ...]]) -> None:
        sheet, cols = ws.SHEET_FIELD_WOMEN, ws.FIELD_WOMEN_COLUMNS
        c_id = next(i for i, col in enumerate(cols) if col.name == "person_id")
        for row_no, v, good in self._field_rows(sheet, rows, cols):
            pid = v["person_id"]
            if not good:
                continue
            if pid in self.woman_household:
                listed = self.woman_row.get(pid, 0)
                msg = message(
                    "woman-listed", self.lang, value=pid, women=ws.SHEET_WOMEN, row=listed
                )
                self.problem(sheet, row_no, c_id, cols[c_id], msg)
                continue
            if pid in self.field_woman_row:
                msg = message("woman-twice", self.lang, value=pid, row=self.field_woman_row[pid])
                self.problem(sheet, row_no, c_id, cols[c_id], msg)
                continue
            self.field_woman_row[pid] = row_no
            self.field_woman_household[pid] = v["household"]
            hh = self.households[v["household"]]
            hh.women_field_only += 1
            hh.records += 1
            hh.defective.add(pid)

    def field_births(self, rows: list[tuple[Any, ...]]) -> None:
        sheet, cols = ws.SHEET_FIELD_BIRTHS, ws.FIELD_BIRTHS_COLUMNS
        c_mother = next(i for i, col in enumerate(cols) if col.name == "mother_id")
        c_date = next(i for i, col in enumerate(cols) if col.name == "child_birth_date")
        for row_no, v, good in self._field_rows(sheet, rows, cols):
            d: date | None = v["child_birth_date"]
            if d is not None and not self.start <= d <= self.end:
                msg = message(
                    "date-outside",
                    self.lang,
                    value=d.isoformat(),
                    start=self.plan.window_start,
                    end=self.plan.window_end,
                )
                self.problem(sheet, row_no, c_date, cols[c_date], msg)
                good = False
            mother, household = v["mother_id"], v["household"]
            if mother is None or household is None:
                continue
            if self.woman_household.get(mother) == household:
                if self.woman_status.get(mother) == "not_found":
                    msg = message(
                        "mother-not-found",
                        self.lang,
                        value=mother,
                        women=ws.SHEET_WOMEN,
                        row=self.woman_row.get(mother, 0),
                    )
                    self.problem(sheet, row_no, c_mother, cols[c_mother], msg)
                    continue
            elif self.field_woman_household.get(mother) != household:
                msg = message(
                    "mother-unknown",
                    self.lang,
                    value=mother,
                    women=ws.SHEET_WOMEN,
                    new=ws.SHEET_FIELD_WOMEN,
                )
                self.problem(sheet, row_no, c_mother, cols[c_mother], msg)
                continue
            if not good:
                continue
            hh = self.households[household]
            hh.births_field_only += 1
            hh.defective.add(mother)

    def tallies(self) -> tuple[stats.HouseholdTally, ...]:
        return tuple(
            stats.HouseholdTally(
                village_code=v,
                household=h,
                women_listed=t.women_listed,
                women_found=t.women_found,
                women_field_only=t.women_field_only,
                field_errors=tuple(t.field_errors),
                births_listed=t.births_listed,
                births_confirmed=t.births_confirmed,
                births_field_only=t.births_field_only,
                records=t.records,
                defective=len(t.defective),
            )
            for (v, h), t in self.households.items()
        )
