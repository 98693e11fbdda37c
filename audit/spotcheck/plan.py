"""`audit spotcheck plan`: draw the sample of central households and write the field worksheet.

Design decisions:

- The frame is every central household (village_code + central_household) of
  the women register; women without either are outside it (counted on the
  cover). An ID number listed twice is sampled once, at its first record.
- Reproducible: each village draws a random order of its households from its
  own stream, `random.Random("<seed>/<village_code>")`, and takes the first
  n_h. The same seed gives the same sample; a larger n_h extends a village's
  sample without changing its first households; restricting `--villages`
  does not change the draw inside the others. A seed is chosen and printed
  when none is given.
- The worksheet is written by xlsxwriter into memory, then atomically by the
  CLI. Its creation time is fixed (the period end), so the same inputs give
  the same bytes. The plan itself (design, frame, keys and register values
  of every listed row) is kept as JSON with its SHA-256 in a very hidden,
  protected sheet; the visible women and births sheets are protected with
  only the answer columns unlocked, so an edited key is detected when scoring.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from audit.core import spotcheck as stats
from audit.core.exitcodes import AuditError
from audit.core.period import make_window, normalise_period
from audit.render.printsetup import Page, display_width, setup, wrapped_height
from audit.spotcheck import worksheet as ws
from audit.spotcheck.messages import message

ALLOCATIONS = ("proportional", "neyman")


@dataclass(frozen=True)
class PlannedWoman:
    person_id: str
    name: str | None
    village_code: str
    group_no: int | None
    household: str
    method: str | None
    marital_status: str | None
    children: int | None
    pregnant: bool | None
    residence: str | None


@dataclass(frozen=True)
class PlannedBirth:
    birth_id: str
    mother_id: str
    mother_name: str | None
    village_code: str
    household: str
    child_name: str | None
    child_sex: str | None
    child_birth_date: str  # ISO
    birth_order: int | None


@dataclass(frozen=True)
class VillagePlan:
    village_code: str
    households_frame: int  # N_h
    women_frame: int
    households: tuple[str, ...]  # the sampled central households, sorted


@dataclass(frozen=True)
class Plan:
    township_code: str | None
    township_name: str | None
    period: str
    window_start: str  # ISO
    window_end: str
    seed: int
    allocation: str
    size: dict[str, Any]  # audit.core.spotcheck.SampleSize.to_dict()
    villages: tuple[VillagePlan, ...]
    women: tuple[PlannedWoman, ...]  # in worksheet order
    births: tuple[PlannedBirth, ...]
    submission: str = ""
    notes: tuple[str, ...] = ()
    format: str = ws.FORMAT

    @property
    def design(self) -> stats.Design:
        return stats.Design(
            frame={v.village_code: v.households_frame for v in self.villages},
            sampled={v.village_code: len(v.households) for v in self.villages},
        )

    @property
    def households(self) -> list[tuple[str, str]]:
        return [(v.village_code, h) for v in self.villages for h in v.households]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        return cls(
            township_code=d["township_code"],
            township_name=d["township_name"],
            period=d["period"],
            window_start=d["window_start"],
            window_end=d["window_end"],
            seed=int(d["seed"]),
            allocation=d["allocation"],
            size=dict(d["size"]),
            villages=tuple(
                VillagePlan(
                    v["village_code"],
                    int(v["households_frame"]),
                    int(v["women_frame"]),
                    tuple(v["households"]),
                )
                for v in d["villages"]
            ),
            women=tuple(PlannedWoman(**w) for w in d["women"]),
            births=tuple(PlannedBirth(**b) for b in d["births"]),
            submission=d.get("submission", ""),
            notes=tuple(d.get("notes", ())),
            format=d.get("format", ws.FORMAT),
        )


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PlanRequest:
    """The command line's choices (None: from the submission or the defaults)."""

    period: str | None = None
    window_start: date | None = None
    households: int | None = None
    precision: float | None = None
    confidence: float = 0.95
    expected_rate: float = 0.10
    design_effect: float = 1.0
    villages: list[str] = field(default_factory=list)
    allocation: str = "proportional"
    seed: int | None = None
    lang: str = "zh"


# --- drawing the sample --------------------------------------------------------------------------

_FRAME_WOMEN = """
    SELECT person_id, name, village_code, group_no, trim(central_household) AS household,
           method, marital_status, children, pregnant, residence
    FROM women
    WHERE person_id IS NOT NULL AND village_code IS NOT NULL
      AND nullif(trim(central_household), '') IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY person_id ORDER BY village_code, household, group_no NULLS LAST, name
    ) = 1
"""


def make_plan(submission: Path, req: PlanRequest) -> Plan:
    """Load the submission, draw the sample and list what the field team checks."""
    from audit.io.loader import load_submission

    lang = req.lang
    requested = None if req.period is None else normalise_period(req.period)
    if req.allocation not in ALLOCATIONS:
        raise AuditError(f"--allocation: expected one of {', '.join(ALLOCATIONS)}")
    if req.households is not None and req.precision is not None:
        raise AuditError(message("size-conflict", lang))
    sub = load_submission(Path(submission), lang=lang)
    try:
        if sub.table("women").path is None:
            raise AuditError(message("no-women", lang, path=submission))
        con = sub.con
        period = requested or sub.manifest.get("period")
        if not period:
            latest = _latest_period(con)
            period = latest and normalise_period(latest, "stat_reports: latest period")
        if not period:
            raise AuditError(message("no-period", lang))
        window = make_window(period, req.window_start)
        notes: list[str] = []
        outside = _scalar(
            con,
            "SELECT count(*) FROM women WHERE person_id IS NOT NULL AND (village_code IS NULL "
            "OR nullif(trim(central_household), '') IS NULL)",
        )
        if outside:
            notes.append(message("note-no-household", lang, count=outside))
        dup = _scalar(
            con,
            "SELECT count(*) FROM (SELECT person_id FROM women WHERE person_id IS NOT NULL "
            "GROUP BY person_id HAVING count(*) > 1)",
        )
        if dup:
            notes.append(message("note-duplicate", lang, count=dup))
        frame_rows = con.execute(
            f"SELECT village_code, household, count(*) FROM ({_FRAME_WOMEN}) "
            "GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
        if not frame_rows:
            raise AuditError(message("empty-frame", lang, path=submission))
        frame: dict[str, list[str]] = {}
        women_in: dict[str, int] = {}
        for village, household, count in frame_rows:
            frame.setdefault(village, []).append(household)
            women_in[village] = women_in.get(village, 0) + int(count)
        chosen = _choose_villages(req.villages, sorted(frame), lang)
        frame = {v: frame[v] for v in chosen}
        women_in = {v: women_in[v] for v in chosen}
        sizes = {v: len(hs) for v, hs in frame.items()}
        size, total = _sample_size(req, sizes, women_in, notes)
        weights = stats.neyman_weights(sizes, women_in) if req.allocation == "neyman" else None
        alloc = stats.allocate(total, sizes, weights)
        seed = req.seed if req.seed is not None else secrets.randbelow(1_000_000)
        villages = tuple(
            VillagePlan(v, sizes[v], women_in[v], draw(frame[v], alloc[v], seed, v)) for v in chosen
        )
        women, births = _listed(con, villages, window.start, window.end, notes, lang)
        if sub.table("births").path is None:
            notes.append(message("note-births-missing", lang))
        small = _villages_below_lqas(villages, women)
        if small:
            s = stats.LqasSettings()
            notes.append(
                message(
                    "note-lqas-small",
                    lang,
                    villages=small,
                    n_min=stats.lqas_min_n(s),
                    alpha=f"{s.alpha:.0%}",
                )
            )
        township = sub.manifest.get("township_code") or (chosen[0][:9] + "000")
        return Plan(
            township_code=township,
            township_name=sub.manifest.get("township_name") or None,
            period=period,
            window_start=window.start.isoformat(),
            window_end=window.end.isoformat(),
            seed=seed,
            allocation=req.allocation,
            size=size.to_dict(),
            villages=villages,
            women=women,
            births=births,
            submission=Path(submission).resolve().name,
            notes=tuple(notes),
        )
    finally:
        sub.con.close()


def draw(households: list[str], n: int, seed: int, village: str) -> tuple[str, ...]:
    """The first n of the village's seeded random order of its households, sorted."""
    order = sorted(households)
    rng = random.Random(f"{seed}/{village}")
    return tuple(sorted(rng.sample(order, len(order))[:n]))


def _scalar(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _latest_period(con: Any) -> str | None:
    row = con.execute("SELECT max(period) FROM stat_reports").fetchone()
    return str(row[0]) if row and row[0] else None


def _choose_villages(requested: list[str], known: list[str], lang: str) -> list[str]:
    """Villages by full 12-digit code or by their last three digits (村 number)."""
    wanted = [p for item in requested for p in item.replace(",", " ").split() if p]
    if not wanted:
        return known
    out: list[str] = []
    for w in wanted:
        match = [
            v for v in known if v == w or (len(w) <= 3 and w.isdigit() and v.endswith(w.zfill(3)))
        ]
        if len(match) != 1:
            raise AuditError(message("unknown-village", lang, value=w, known=", ".join(known)))
        if match[0] not in out:
            out.append(match[0])
    return sorted(out)


def _sample_size(
    req: PlanRequest, sizes: dict[str, int], women: dict[str, int], notes: list[str]
) -> tuple[stats.SampleSize, int]:
    lang = req.lang
    frame_households, frame_women = sum(sizes.values()), sum(women.values())
    minimum = sum(min(stats.MIN_HOUSEHOLDS_PER_VILLAGE, n) for n in sizes.values())
    if req.households is not None:
        n = req.households
        if n > frame_households:
            raise AuditError(message("too-many-households", lang, n=n, frame=frame_households))
        if n < minimum:
            raise AuditError(
                message("too-few-households", lang, n=n, villages=len(sizes), minimum=minimum)
            )
        return (
            stats.SampleSize(n, frame_households, frame_women, "households"),
            n,
        )
    size = stats.sample_size(
        frame_households,
        frame_women,
        precision=req.precision if req.precision is not None else 0.05,
        confidence=req.confidence,
        expected_rate=req.expected_rate,
        design_effect=req.design_effect,
    )
    total = size.households
    if total < minimum:
        notes.append(message("note-raised", lang, n=total, minimum=minimum))
        total = minimum
    return size, total


def _listed(
    con: Any,
    villages: tuple[VillagePlan, ...],
    start: date,
    end: date,
    notes: list[str],
    lang: str,
) -> tuple[tuple[PlannedWoman, ...], tuple[PlannedBirth, ...]]:
    pairs = [(v.village_code, h) for v in villages for h in v.households]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE spotcheck_sample (village_code VARCHAR, household VARCHAR)"
    )
    con.executemany("INSERT INTO spotcheck_sample VALUES (?, ?)", pairs)
    rows = con.execute(
        f"""
        SELECT w.* FROM ({_FRAME_WOMEN}) w
        JOIN spotcheck_sample s USING (village_code, household)
        ORDER BY w.village_code, w.household, w.group_no NULLS LAST, w.person_id
        """
    ).fetchall()
    women = tuple(
        PlannedWoman(
            person_id=r[0],
            name=r[1],
            village_code=r[2],
            group_no=None if r[3] is None else int(r[3]),
            household=r[4],
            method=r[5],
            marital_status=r[6],
            children=None if r[7] is None else int(r[7]),
            pregnant=None if r[8] is None else bool(r[8]),
            residence=r[9],
        )
        for r in rows
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE spotcheck_women AS
        SELECT w.person_id, w.name, w.village_code, w.household FROM ({_FRAME_WOMEN}) w
        JOIN spotcheck_sample s USING (village_code, household)
        """
    )
    undated = _scalar(
        con,
        "SELECT count(*) FROM births b JOIN spotcheck_women w ON b.mother_id = w.person_id "
        "WHERE b.child_birth_date IS NULL",
    )
    if undated:
        notes.append(message("note-births-no-date", lang, count=undated))
    rows = con.execute(
        """
        SELECT b.birth_id, b.mother_id, w.name, w.village_code, w.household, b.child_name,
               b.child_sex, b.child_birth_date, b.birth_order
        FROM births b JOIN spotcheck_women w ON b.mother_id = w.person_id
        WHERE b.birth_id IS NOT NULL AND b.child_birth_date BETWEEN ? AND ?
        QUALIFY row_number() OVER (PARTITION BY b.birth_id ORDER BY b.child_birth_date) = 1
        ORDER BY w.village_code, w.household, b.child_birth_date, b.birth_id
        """,
        [start, end],
    ).fetchall()
    births = tuple(
        PlannedBirth(
            birth_id=r[0],
            mother_id=r[1],
            mother_name=r[2],
            village_code=r[3],
            household=r[4],
            child_name=r[5],
            child_sex=r[6],
            child_birth_date=r[7].isoformat(),
            birth_order=None if r[8] is None else int(r[8]),
        )
        for r in rows
    )
    return women, births


def _villages_below_lqas(villages: tuple[VillagePlan, ...], women: tuple[PlannedWoman, ...]) -> int:
    """Villages whose sample size gives a rule above the producer's risk (alpha is not
    monotone in n, so this is the rule's own alpha, not a comparison with `lqas_min_n`)."""
    s = stats.LqasSettings()
    per: dict[str, int] = {}
    for w in women:
        per[w.village_code] = per.get(w.village_code, 0) + 1
    return sum(
        1 for v in villages if not stats.lqas_rule(per.get(v.village_code, 0), s).meets_alpha
    )


# --- the worksheet -------------------------------------------------------------------------------


def write_worksheet(plan: Plan) -> bytes:
    """The field worksheet as .xlsx bytes (cover, women, births, the two field-only sheets)."""
    import xlsxwriter

    buf = io.BytesIO()
    # Cells hold data as text: a village code "=1+2" or a name "=HYPERLINK(...)" never
    # becomes a live formula or link in the team's worksheet.
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    created = datetime.fromisoformat(plan.window_end)
    wb.set_properties(
        {
            "title": "统计数字质量抽查 "
            f"{plan.township_name or plan.township_code or ''} {plan.period}",
            "subject": "spot check worksheet",
            "created": created,
        }
    )
    f = _Formats(wb)
    page = Page(
        " ".join(x for x in (plan.township_name, plan.township_code) if x) or "—",
        f"{plan.period}（{plan.window_start} – {plan.window_end}）",
    )
    _cover(wb, f, plan, page)
    _women_sheet(wb, f, plan, page)
    _births_sheet(wb, f, plan, page)
    _field_sheet(wb, f, plan, page, ws.SHEET_FIELD_BIRTHS, ws.FIELD_BIRTHS_COLUMNS)
    _field_sheet(wb, f, plan, page, ws.SHEET_FIELD_WOMEN, ws.FIELD_WOMEN_COLUMNS)
    _plan_sheet(wb, plan)
    wb.close()
    return buf.getvalue()


class _Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "SimSun", "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.head_zh = wb.add_format(
            {**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
        )
        self.head_en = wb.add_format(
            {
                **base,
                "italic": True,
                "font_color": "#595959",
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
            }
        )
        self.head_answer_zh = wb.add_format(
            {**base, "bold": True, "bg_color": "#FFE699", "border": 1, "text_wrap": True}
        )
        self.head_answer_en = wb.add_format(
            {
                **base,
                "italic": True,
                "font_color": "#595959",
                "bg_color": "#FFE699",
                "border": 1,
                "text_wrap": True,
            }
        )
        self.key = wb.add_format({**base, "bg_color": "#EDEDED", "border": 1, "num_format": "@"})
        self.answer = wb.add_format(
            {**base, "locked": False, "bg_color": "#FFF2CC", "border": 1, "num_format": "@"}
        )
        self.answer_int = wb.add_format(
            {**base, "locked": False, "bg_color": "#FFF2CC", "border": 1, "num_format": "0"}
        )
        self.answer_date = wb.add_format(
            {
                **base,
                "locked": False,
                "bg_color": "#FFF2CC",
                "border": 1,
                "num_format": "yyyy-mm-dd",
            }
        )
        self.note = wb.add_format({**base, "locked": False, "border": 1, "num_format": "@"})
        self.label = wb.add_format({**base, "bold": True})
        self.label_wrap = wb.add_format({**base, "bold": True, "text_wrap": True, "valign": "top"})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text_left = wb.add_format({**base, "align": "left", "valign": "top"})
        self.cell = wb.add_format({**base, "border": 1})
        self.cell_head = wb.add_format(
            {**base, "border": 1, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True}
        )


FIELD_PRINT_ROWS = 20  # blank lines printed for the field-only sheets (one landscape page)
ROW_HEIGHT = 20  # points: room to write an answer by hand

_PROTECT = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
}


# Cover columns: a label column, then five equal columns that hold the values (merged) and
# the villages table; 30 + 5 x 12 = 90 units fit a portrait A4 page.
_COVER_WIDTHS = (30.0, 12.0, 12.0, 12.0, 12.0, 12.0)
_COVER_LAST = len(_COVER_WIDTHS) - 1


def _cover_line(sh: Any, row: int, text: str, fmt: Any, first: int = 0) -> None:
    """A wrapped line merged across the cover from column `first`, grown to its text
    (LibreOffice does not grow rows for wrapped text by itself)."""
    sh.merge_range(row, first, row, _COVER_LAST, "", fmt)
    sh.write_string(row, first, text, fmt)
    height = wrapped_height(text, sum(_COVER_WIDTHS[first:]))
    if height > 17:
        sh.set_row(row, height)


def _cover(wb: Any, f: _Formats, plan: Plan, page: Page) -> None:
    sh = wb.add_worksheet(ws.SHEET_COVER)
    for c, width in enumerate(_COVER_WIDTHS):
        sh.set_column(c, c, width)
    setup(sh, page, ws.SHEET_COVER, width=sum(_COVER_WIDTHS), landscape=False)
    sh.fit_to_pages(1, 1)  # the cover is one sheet of paper
    sh.set_row(0, 24)
    sh.write(0, 0, "统计数字质量抽查核查表 Spot-check worksheet", f.title)
    size = plan.size
    n_households = sum(len(v.households) for v in plan.villages)
    n_frame = sum(v.households_frame for v in plan.villages)
    lines: list[tuple[str, object]] = [
        ("乡镇代码 Township code", plan.township_code or ""),
        ("乡镇名称 Township", plan.township_name or ""),
        ("报告期 Period", plan.period),
        ("核查期 Window", f"{plan.window_start} – {plan.window_end}"),
        ("提交文件夹 Submission", plan.submission),
        ("随机种子 Seed", plan.seed),
        (
            "抽样设计 Design",
            "按村分层，村内等概率不放回抽取中心户 / stratified by village, central households "
            "drawn at random without replacement",
        ),
        (
            "分配方式 Allocation",
            {"proportional": "按比例 proportional", "neyman": "奈曼 Neyman"}[plan.allocation],
        ),
        ("抽样框中心户 Households in frame", n_frame),
        ("抽样框妇女 Women in frame", size.get("women_frame", "")),
        ("样本中心户 Households sampled", n_households),
        ("样本妇女 Women listed", len(plan.women)),
        ("样本出生登记 Register births listed", len(plan.births)),
    ]
    if size.get("method") == "precision":
        lines += [
            ("精度 Precision e", size["precision"]),
            ("置信度 Confidence", size["confidence"]),
            ("预期差错率 Expected rate p", size["expected_rate"]),
            ("设计效应 Design effect", size["design_effect"]),
            ("n0 = z²p(1−p)/e²（妇女 women）", round(size["n0"], 1)),
            ("FPC: n = n0·deff/(1+(n0·deff−1)/N)", round(size["women_fpc"], 1)),
            ("户均妇女 Women per household", round(size["mean_women"], 2)),
            ("所需中心户 Households = ⌈n / m̄⌉", size["households"]),
        ]
    else:
        lines.append(("样本量 Sample size", f"--households {size['households']}"))
    row = 2
    for k, v in lines:
        sh.write(row, 0, k, f.label_wrap)
        if isinstance(v, str):
            _cover_line(sh, row, v, f.text, first=1)
            if display_width(k) > _COVER_WIDTHS[0] - 1:
                sh.set_row(row, max(wrapped_height(k, _COVER_WIDTHS[0]), wrapped_height(v, 60)))
        else:
            sh.merge_range(row, 1, row, _COVER_LAST, "", f.text_left)
            sh.write(row, 1, v, f.text_left)
            if display_width(k) > _COVER_WIDTHS[0] - 1:
                sh.set_row(row, wrapped_height(k, _COVER_WIDTHS[0]))
        row += 1
    row += 1
    heads = (
        "村代码 Village",
        "中心户数 N_h",
        "抽取户数 n_h",
        "抽样框妇女 Women",
        "样本妇女 Listed",
        "出生登记 Births",
    )
    for c, h in enumerate(heads):
        sh.write(row, c, h, f.cell_head)
    sh.set_row(row, max(wrapped_height(h, w) for h, w in zip(heads, _COVER_WIDTHS, strict=True)))
    per_women: dict[str, int] = {}
    per_births: dict[str, int] = {}
    for w in plan.women:
        per_women[w.village_code] = per_women.get(w.village_code, 0) + 1
    for b in plan.births:
        per_births[b.village_code] = per_births.get(b.village_code, 0) + 1
    for v in plan.villages:
        row += 1
        values = (
            v.village_code,
            v.households_frame,
            len(v.households),
            v.women_frame,
            per_women.get(v.village_code, 0),
            per_births.get(v.village_code, 0),
        )
        for c, val in enumerate(values):
            sh.write(row, c, val, f.cell)
    row += 2
    s = stats.LqasSettings()
    guide = [
        "填写说明 How to fill in",
        f"1. “{ws.SHEET_WOMEN}”：逐人入户核实，在“核实结果”选“属实”或“查无此人”；"
        "属实的，按实际情况填写黄色核实列"
        "（不要照抄登记值）。Visit each woman; choose 属实 (found) or 查无此人 (not found); "
        "for a woman found, fill every yellow field column from what you find.",
        f"2. “{ws.SHEET_BIRTHS}”：核实每条出生登记，选“属实”或“查无此出生”。"
        "Check each register birth: 属实 (confirmed) or 查无此出生 (not found).",
        f"3. “{ws.SHEET_FIELD_BIRTHS}”：登记入户发现、但出生登记中没有的出生（漏报）。"
        "Add births found in the field that are not on the register.",
        f"4. “{ws.SHEET_FIELD_WOMEN}”：登记户内发现、但花名册中没有的育龄妇女（漏登）。"
        "Add women of the household who are not on the register.",
        "5. 灰色列为登记内容，不可修改；只填写黄色和白色列。Grey columns are the register: "
        "do not change them.",
        _lqas_guide(s),
    ]
    sh.write(row, 0, guide[0], f.label)
    for i, text in enumerate(guide[1:], start=1):
        _cover_line(sh, row + i, text, f.text)
    row += len(guide) + 1
    if plan.notes:
        sh.write(row, 0, "说明 Notes", f.label)
        for i, note in enumerate(plan.notes):
            _cover_line(sh, row + 1 + i, note, f.text)
    sh.protect("", _PROTECT)


def _lqas_guide(s: stats.LqasSettings) -> str:
    """The cover's LQAS line: the condition the score checks, with the sample sizes it fails."""
    n_min = stats.lqas_min_n(s)
    gaps = stats.lqas_alpha_gaps(s)
    runs = ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in gaps)
    zh_gap = f"；但 α 不随 n 单调，n = {runs} 时仍高于 {s.alpha:.0%}" if gaps else ""
    en_gap = f", except n = {runs} where alpha is above {s.alpha:.0%}" if gaps else ""
    return (
        f"LQAS：每村按其样本妇女数 n 定判定数 d，使使用方风险 β ≤ {s.beta:.0%}"
        f"（差错率 {s.upper:.0%} 的村判合格）；生产方风险 α（差错率 {s.lower:.0%} 的村判不合格）"
        f"按 n 计算，高于 {s.alpha:.0%} 时评分标“!”。两者同时满足的最小 n 为 {n_min}{zh_gap}。"
        f" Each village's n sets d with beta ≤ {s.beta:.0%}; alpha is computed for that n and "
        f"marked '!' above {s.alpha:.0%}. Both hold from n = {n_min}{en_gap}."
    )


def _headers(sh: Any, f: _Formats, cols: tuple[ws.Col, ...], page: Page, title: str) -> None:
    """The two header rows (grown to their wrapped text) and the sheet's print setup:
    landscape A4 at one page's width, both header rows and the ID and name columns on
    every page, township, period and sheet in the page header, page x of y below."""
    for c, col in enumerate(cols):
        is_answer = col.kind != "key"
        sh.write_string(0, c, col.zh, f.head_answer_zh if is_answer else f.head_zh)
        sh.write_string(1, c, col.en, f.head_answer_en if is_answer else f.head_en)
        sh.set_column(c, c, col.width)
    sh.set_row(0, max(wrapped_height(col.zh, col.width) for col in cols))
    sh.set_row(1, max(wrapped_height(col.en, col.width, 12.5) for col in cols))
    names = [c for c, col in enumerate(cols) if col.name in _REPEATED]
    width = sum(col.width for col in cols)
    setup(
        sh,
        page,
        title,
        width=width,
        repeat_rows=(0, ws.HEADER_ROWS - 1),
        repeat_columns=(0, max(names)) if names else None,
        landscape=True,
    )


# Printed on every page when a sheet is wider than the paper: who the row is about.
_REPEATED = ("no", "village_code", "person_id", "name", "birth_id", "mother_id", "mother_name")


def _validate(sh: Any, first: int, last: int, c: int, col: ws.Col, plan: Plan) -> None:
    """Dropdowns and ranges on the answer cells of one column."""
    if col.codes is None or col.codes == "id":
        return
    opts: dict[str, Any]
    if col.codes == "int":
        opts = {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": 20,
            "error_message": "0–20 的整数 / a whole number from 0 to 20",
        }
    elif col.codes == "date":
        opts = {
            "validate": "date",
            "criteria": "between",
            "minimum": date.fromisoformat(plan.window_start),
            "maximum": date.fromisoformat(plan.window_end),
            "error_message": "核查期内的日期 / a date from "
            f"{plan.window_start} to {plan.window_end}",
        }
    elif col.codes == "household":
        labels = [ws.household_label(v, h) for v, h in plan.households]
        opts = {"validate": "list", "source": f"='{ws.SHEET_PLAN}'!$B$1:$B${len(labels)}"}
    else:
        opts = {"validate": "list", "source": ws.choices(col.codes)}
    opts.setdefault("error_title", col.zh)
    opts.setdefault("error_message", "请从下拉列表选择 / choose from the list")
    sh.data_validation(first, c, last, c, opts)


def _women_sheet(wb: Any, f: _Formats, plan: Plan, page: Page) -> None:
    sh = wb.add_worksheet(ws.SHEET_WOMEN)
    cols = ws.WOMEN_COLUMNS
    _headers(sh, f, cols, page, ws.SHEET_WOMEN)
    for i, w in enumerate(plan.women):
        r = ws.HEADER_ROWS + i
        sh.set_row(r, ROW_HEIGHT)
        for c, col in enumerate(cols):
            if col.kind == "key":
                sh.write_string(r, c, women_key_cell(w, i, col), f.key)
            elif col.codes == "int":
                sh.write_blank(r, c, None, f.answer_int)
            else:
                sh.write_blank(r, c, None, f.answer if col.kind == "answer" else f.note)
    if plan.women:
        last = ws.HEADER_ROWS + len(plan.women) - 1
        for c, col in enumerate(cols):
            if col.kind == "answer":
                _validate(sh, ws.HEADER_ROWS, last, c, col, plan)
        sh.autofilter(1, 0, last, len(cols) - 1)
    sh.freeze_panes(ws.HEADER_ROWS, 6)
    sh.protect("", _PROTECT)


def women_key_cell(w: PlannedWoman, index: int, col: ws.Col) -> str:
    """The text a locked cell of the women sheet shows (the reader compares against it)."""
    if col.name == "no":
        return str(index + 1)
    if col.name == "central_household":
        return w.household
    value = getattr(w, col.name)
    if col.codes is not None and col.codes != "int":
        return ws.label(col.codes, value)
    return "" if value is None else str(value)


def births_key_cell(b: PlannedBirth, index: int, col: ws.Col) -> str:
    if col.name == "no":
        return str(index + 1)
    if col.name == "central_household":
        return b.household
    value = getattr(b, col.name)
    if col.codes is not None:
        return ws.label(col.codes, value)
    return "" if value is None else str(value)


def _births_sheet(wb: Any, f: _Formats, plan: Plan, page: Page) -> None:
    sh = wb.add_worksheet(ws.SHEET_BIRTHS)
    cols = ws.BIRTHS_COLUMNS
    _headers(sh, f, cols, page, ws.SHEET_BIRTHS)
    for i, b in enumerate(plan.births):
        r = ws.HEADER_ROWS + i
        sh.set_row(r, ROW_HEIGHT)
        for c, col in enumerate(cols):
            if col.kind == "key":
                sh.write_string(r, c, births_key_cell(b, i, col), f.key)
            else:
                sh.write_blank(r, c, None, f.answer if col.kind == "answer" else f.note)
    if plan.births:
        last = ws.HEADER_ROWS + len(plan.births) - 1
        for c, col in enumerate(cols):
            if col.kind == "answer":
                _validate(sh, ws.HEADER_ROWS, last, c, col, plan)
        sh.autofilter(1, 0, last, len(cols) - 1)
    sh.freeze_panes(ws.HEADER_ROWS, 4)
    sh.protect("", _PROTECT)


def _field_sheet(
    wb: Any, f: _Formats, plan: Plan, page: Page, name: str, cols: tuple[ws.Col, ...]
) -> None:
    sh = wb.add_worksheet(name)
    _headers(sh, f, cols, page, name)
    first, last = ws.HEADER_ROWS, ws.HEADER_ROWS + ws.FIELD_SHEET_ROWS - 1
    # On paper one page of blank, ruled lines; the file keeps all prepared rows.
    sh.print_area(0, 0, ws.HEADER_ROWS + FIELD_PRINT_ROWS - 1, len(cols) - 1)
    for r in range(first, last + 1):
        sh.set_row(r, ROW_HEIGHT)
    for c, col in enumerate(cols):
        fmt = {"int": f.answer_int, "date": f.answer_date}.get(col.codes or "", f.answer)
        sh.set_column(c, c, col.width, fmt if col.kind == "answer" else f.note)
        if col.kind == "answer":
            _validate(sh, first, last, c, col, plan)
    sh.freeze_panes(ws.HEADER_ROWS, 0)
    # Headers locked, every data cell unlocked (column formats), so rows can be typed freely.
    sh.protect("", {**_PROTECT, "insert_rows": True, "delete_rows": True})


def _plan_sheet(wb: Any, plan: Plan) -> None:
    sh = wb.add_worksheet(ws.SHEET_PLAN)
    text = plan.to_json()
    sh.write_string(0, 0, ws.FORMAT)
    sh.write_string(1, 0, checksum(text))
    for i in range(0, max(1, len(text)), ws.PLAN_CHUNK):
        sh.write_string(2 + i // ws.PLAN_CHUNK, 0, text[i : i + ws.PLAN_CHUNK])
    # Column B: the households for the dropdowns of the field-only sheets.
    for i, (v, h) in enumerate(plan.households):
        sh.write_string(i, 1, ws.household_label(v, h))
    sh.very_hidden()
    sh.protect("", {})
