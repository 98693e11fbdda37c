"""The simulated field test: a township whose truth is known, a register that misses some of it,
a sample planned from the register, a worksheet filled from the truth as a field team would,
and the scores checked against the true rates.

`Township` is a small builder (women, births, the register derived from them with known
faults); `fill_from_truth` plays the field team with openpyxl. The repetition over seeds runs
the pure estimator path (200 samples) — the end-to-end xlsx runs check that the worksheet
round trip reproduces exactly what the pure path computes from the truth.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from audit.cli import app
from audit.core import spotcheck as stats
from audit.core.idcard import make_id
from audit.spotcheck import worksheet as ws
from audit.spotcheck.score import read_worksheet
from tests.helpers import write_submission

PERIOD = "2026-10"
WINDOW_START = date(2025, 10, 1)
WINDOW_END = date(2026, 10, 31)
METHODS = ("iud", "tubal_ligation", "implant", "oral_pill", "condom", "none")
OTHER = {  # what a wrong register value looks like, per field
    "method": lambda v: "condom" if v != "condom" else "iud",
    "marital_status": lambda v: "divorced" if v != "divorced" else "married",
    "children": lambda v: v + 1,
    "pregnant": lambda v: not v,
    "residence": lambda v: "out" if v != "out" else "resident",
}


@dataclass
class Woman:
    person_id: str
    name: str
    birth_date: date
    village_code: str
    group_no: int
    household: str
    truth: dict[str, Any]  # the real values of the checked fields
    register: dict[str, Any] | None  # what the register says; None: not on the register
    real: bool = True  # False: a register record with no such woman (查无此人)


@dataclass
class Birth:
    birth_id: str
    mother: Woman
    sex: str
    day: date
    on_register: bool
    real: bool = True  # False: a register birth that did not happen


@dataclass
class Township:
    women: list[Woman] = field(default_factory=list)
    births: list[Birth] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        seed: int,
        *,
        villages: int = 4,
        households: int = 10,
        size: tuple[int, int] = (7, 13),
    ) -> Township:
        """Households differ in how well they are recorded, so errors cluster as they do."""
        rng = random.Random(seed)
        tw = cls()
        used: set[str] = set()
        n_birth = 0
        for v in range(villages):
            village = f"340811101{v + 1:03d}"
            for h in range(households):
                household = f"中心户{h + 1:02d}"
                err = rng.betavariate(1, 24)  # the household's field error rate, mean 4 %
                miss = rng.betavariate(1.2, 7)  # its birth under-reporting, mean 15 %
                for k in range(rng.randint(*size)):
                    while True:
                        born = date(1978, 1, 1) + timedelta(days=rng.randrange(28 * 365))
                        pid = make_id("340811", born, 2 * rng.randrange(1, 499))
                        if pid not in used:
                            used.add(pid)
                            break
                    truth = {
                        "method": rng.choice(METHODS),
                        "marital_status": rng.choice(("married", "married", "single")),
                        "children": rng.randint(0, 2),
                        "pregnant": rng.random() < 0.05,
                        "residence": "resident" if rng.random() < 0.9 else "out",
                    }
                    unregistered = rng.random() < 0.02  # 漏登: the register lacks her
                    register = (
                        None
                        if unregistered
                        else {
                            f: (OTHER[f](x) if rng.random() < err else x) for f, x in truth.items()
                        }
                    )
                    w = Woman(
                        pid, f"妇女{v}{h}{k}", born, village, 1 + h // 5, household, truth, register
                    )
                    tw.women.append(w)
                    if rng.random() < 0.25:
                        n_birth += 1
                        day = WINDOW_START + timedelta(days=rng.randrange(396))
                        on = not unregistered and rng.random() >= miss
                        tw.births.append(Birth(f"B{n_birth:05d}", w, rng.choice("MF"), day, on))
                    if rng.random() < 0.05:  # a birth before the window: never listed
                        n_birth += 1
                        day = WINDOW_START - timedelta(days=1 + rng.randrange(300))
                        tw.births.append(Birth(f"B{n_birth:05d}", w, "F", day, True))
                if rng.random() < 0.3:  # a register record of nobody (查无此人)
                    born = date(1985, 1, 1) + timedelta(days=rng.randrange(3000))
                    pid = make_id("340811", born, 998)
                    if pid not in used:
                        used.add(pid)
                        fake = {
                            "method": "iud",
                            "marital_status": "married",
                            "children": 1,
                            "pregnant": False,
                            "residence": "resident",
                        }
                        w = Woman(
                            pid,
                            "虚报",
                            born,
                            village,
                            1 + h // 5,
                            household,
                            fake,
                            dict(fake),
                            real=False,
                        )
                        tw.women.append(w)
                        n_birth += 1
                        day = WINDOW_START + timedelta(days=rng.randrange(396))
                        tw.births.append(Birth(f"B{n_birth:05d}", w, "M", day, True, real=False))
        return tw

    # -- the submission the register gives ------------------------------------------------
    def write(self, folder: Path) -> Path:
        women = [
            {
                "person_id": w.person_id,
                "name": w.name,
                "birth_date": w.birth_date,
                "village_code": w.village_code,
                "group_no": w.group_no,
                "central_household": w.household,
                "marital_status": w.register["marital_status"],
                "residence": w.register["residence"],
                "children": w.register["children"],
                "method": w.register["method"],
                "pregnant": w.register["pregnant"],
            }
            for w in self.women
            if w.register is not None
        ]
        births = [
            {
                "birth_id": b.birth_id,
                "mother_id": b.mother.person_id,
                "child_name": "婴儿",
                "child_sex": b.sex,
                "child_birth_date": b.day,
                "birth_order": 1,
                "policy": "in",
                "village_code": b.mother.village_code,
                "group_no": b.mother.group_no,
                "reported_date": b.day + timedelta(days=10),
                "delivery_place": "hospital",
            }
            for b in self.births
            if b.on_register
        ]
        return write_submission(folder, {"women": women, "births": births}, period=PERIOD)

    # -- the truth, household by household --------------------------------------------------
    def in_window(self, b: Birth) -> bool:
        return WINDOW_START <= b.day <= WINDOW_END

    def _index(self) -> dict[tuple[str, str], tuple[list[Woman], list[Birth]]]:
        index: dict[tuple[str, str], tuple[list[Woman], list[Birth]]] = {}
        for w in self.women:
            index.setdefault((w.village_code, w.household), ([], []))[0].append(w)
        for b in self.births:
            if self.in_window(b):
                index[(b.mother.village_code, b.mother.household)][1].append(b)
        return index

    def tally(
        self, village: str, household: str, index: dict[Any, Any] | None = None
    ) -> stats.HouseholdTally:
        women, births = (index or self._index())[(village, household)]
        errors = [0] * len(stats.FIELDS)
        defective: set[str] = set()
        for w in women:
            if w.register is None or not w.real:
                defective.add(w.person_id)
                continue
            for i, f in enumerate(stats.FIELDS):
                if w.register[f] != w.truth[f]:
                    errors[i] += 1
                    defective.add(w.person_id)
        for b in births:
            if b.on_register != b.real:
                defective.add(b.mother.person_id)
        listed = [w for w in women if w.register is not None]
        return stats.HouseholdTally(
            village_code=village,
            household=household,
            women_listed=len(listed),
            women_found=sum(1 for w in listed if w.real),
            women_field_only=sum(1 for w in women if w.register is None),
            field_errors=tuple(errors),
            births_listed=sum(1 for b in births if b.on_register),
            births_confirmed=sum(1 for b in births if b.on_register and b.real),
            births_field_only=sum(1 for b in births if b.real and not b.on_register),
            records=len(women),
            defective=len(defective),
        )

    def households(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for w in self.women:
            if w.household not in out.setdefault(w.village_code, []):
                out[w.village_code].append(w.household)
        return out

    def all_tallies(self) -> list[stats.HouseholdTally]:
        index = self._index()
        return [self.tally(v, h, index) for v, hs in self.households().items() for h in hs]

    def true_rates(self) -> dict[str, float]:
        return true_rates(self.all_tallies())


def true_rates(tallies: list[stats.HouseholdTally]) -> dict[str, float]:
    def total(f: Any) -> float:
        return float(sum(f(t) for t in tallies))

    found_births = total(lambda t: t.births_confirmed + t.births_field_only)
    return {
        "under_report": total(lambda t: t.births_field_only) / found_births,
        "error_rate": total(lambda t: sum(t.field_errors)) / total(lambda t: 5 * t.women_found),
        "vf_women": total(lambda t: t.women_found + t.women_field_only)
        / total(lambda t: t.women_listed),
        "vf_births": found_births / total(lambda t: t.births_listed),
    }


# --- the field team --------------------------------------------------------------------------


def fill_from_truth(src: Path, dst: Path, tw: Township) -> None:
    """Fill the worksheet from what is really there, as a field team would."""
    by_id = {w.person_id: w for w in tw.women}
    births = {b.birth_id: b for b in tw.births}
    wb = load_workbook(src)
    sheet = wb[ws.SHEET_WOMEN]
    col = {c.name: i + 1 for i, c in enumerate(ws.WOMEN_COLUMNS)}
    households: set[tuple[str, str]] = set()
    for r in range(ws.HEADER_ROWS + 1, sheet.max_row + 1):
        pid = sheet.cell(r, col["person_id"]).value
        if not pid:
            continue
        w = by_id[pid]
        households.add((w.village_code, w.household))
        if not w.real:
            sheet.cell(r, col["verification"]).value = "查无此人"
            continue
        sheet.cell(r, col["verification"]).value = "属实"
        for f, _, _, codes in ws.REGISTER_FIELDS:
            value = w.truth[f]
            sheet.cell(r, col[f"{f}_field"]).value = (
                value if codes == "int" else ws.label(codes, value)
            )
    sheet = wb[ws.SHEET_BIRTHS]
    col = {c.name: i + 1 for i, c in enumerate(ws.BIRTHS_COLUMNS)}
    for r in range(ws.HEADER_ROWS + 1, sheet.max_row + 1):
        bid = sheet.cell(r, col["birth_id"]).value
        if bid:
            real = births[bid].real
            sheet.cell(r, col["verification"]).value = "属实" if real else "查无此出生"
    new_women = [
        w for w in tw.women if w.register is None and (w.village_code, w.household) in households
    ]
    sheet = wb[ws.SHEET_FIELD_WOMEN]
    for i, w in enumerate(new_women):
        values = [ws.household_label(w.village_code, w.household), w.person_id, w.name]
        values += [
            w.truth[f] if c == "int" else ws.label(c, w.truth[f])
            for f, _, _, c in ws.REGISTER_FIELDS
        ]
        for c, v in enumerate(values, start=1):
            sheet.cell(ws.HEADER_ROWS + 1 + i, c).value = v
    new_births = [
        b
        for b in tw.births
        if b.real
        and not b.on_register
        and tw.in_window(b)
        and (b.mother.village_code, b.mother.household) in households
    ]
    sheet = wb[ws.SHEET_FIELD_BIRTHS]
    for i, b in enumerate(new_births):
        values = [
            ws.household_label(b.mother.village_code, b.mother.household),
            b.mother.person_id,
            b.mother.name,
            "新生儿",
            ws.label("sex", b.sex),
            b.day,
        ]
        for c, v in enumerate(values, start=1):
            sheet.cell(ws.HEADER_ROWS + 1 + i, c).value = v
    wb.save(dst)


# --- the repetition over seeds (pure estimator path) -----------------------------------------


def _draw(tw_tallies: dict[str, list[stats.HouseholdTally]], n: int, rng: random.Random):
    frame = {v: len(ts) for v, ts in tw_tallies.items()}
    alloc = stats.allocate(n, frame)
    sample = [t for v, ts in sorted(tw_tallies.items()) for t in rng.sample(ts, alloc[v])]
    return sample, stats.Design(frame, alloc)


def test_intervals_cover_the_truth_in_about_95_percent_of_samples() -> None:
    """Design-based coverage: 20 townships, 10 samples of 36 households from each."""
    hits = {"under_report": 0, "error_rate": 0, "vf_women": 0, "vf_births": 0}
    reps, naive_hits = 0, 0
    for town in range(20):
        tw = Township.build(1000 + town, villages=6, households=20)
        tallies: dict[str, list[stats.HouseholdTally]] = {}
        for t in tw.all_tallies():
            tallies.setdefault(t.village_code, []).append(t)
        truth = true_rates([t for ts in tallies.values() for t in ts])
        for rep in range(10):
            reps += 1
            sample, design = _draw(tallies, 36, random.Random(100 * town + rep))
            overall = stats.score(sample, design).overall
            assert overall.under_report and overall.error_rate and overall.vf_women
            assert overall.vf_births
            hits["under_report"] += overall.under_report.covers(truth["under_report"])
            hits["error_rate"] += overall.error_rate.covers(truth["error_rate"])
            hits["vf_women"] += overall.vf_women.covers(truth["vf_women"])
            hits["vf_births"] += overall.vf_births.covers(truth["vf_births"])
            # The same figure with a plain Wilson interval that ignores the clustering.
            e = overall.error_rate
            lo, hi = stats.wilson(e.estimate, e.denominator, stats.z_value(0.95))
            naive_hits += lo <= truth["error_rate"] <= hi
    coverage = {k: v / reps for k, v in hits.items()}
    # 200 samples: a true 95 % coverage lands in [0.91, 0.985] with probability > 0.99.
    assert 0.91 <= coverage["under_report"] <= 0.985, coverage
    assert 0.91 <= coverage["error_rate"] <= 0.985, coverage
    # VF combines two intervals (MOVER); it may be slightly conservative, never liberal.
    assert 0.91 <= coverage["vf_women"] <= 1.0, coverage
    assert 0.91 <= coverage["vf_births"] <= 1.0, coverage
    # The test can tell: ignoring the design under-covers clearly.
    assert naive_hits / reps < 0.88, naive_hits / reps


# --- end to end: plan → fill → score through the CLI ----------------------------------------


runner = CliRunner()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_field_test_end_to_end(tmp_path: Path, seed: int) -> None:
    tw = Township.build(seed)
    sub = tw.write(tmp_path / "submission")
    sheet = tmp_path / "worksheet.xlsx"
    result = runner.invoke(
        app,
        [
            "spotcheck",
            "plan",
            str(sub),
            "--output",
            str(sheet),
            "--households",
            "20",
            "--seed",
            str(seed),
            "--window-start",
            WINDOW_START.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    filled = tmp_path / "filled.xlsx"
    fill_from_truth(sheet, filled, tw)
    result = runner.invoke(app, ["spotcheck", "score", str(filled), "--format", "json"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)

    # The worksheet round trip loses nothing: the scores are what the truth of the sampled
    # households gives through the pure path.
    plan = read_worksheet(filled).plan
    index = tw._index()
    expected = stats.score([tw.tally(v, h, index) for v, h in plan.households], plan.design)
    assert scored["overall"] == json.loads(json.dumps(expected.overall.to_dict()))
    assert [v["village_code"] for v in scored["villages"]] == sorted(tw.households())
    for got, want in zip(scored["villages"], expected.villages, strict=True):
        assert got["lqas"]["decision"] == want.decision
        assert got["defective"] == want.defective

    # The field test found what the register missed, and the intervals hold the true rates.
    overall = scored["overall"]
    assert overall["births"]["field_only"] > 0
    truth = tw.true_rates()
    for key, measure in (
        ("under_report", overall["under_report_rate"]),
        ("error_rate", overall["error_rate"]),
        ("vf_women", overall["verification_factor"]["women"]),
        ("vf_births", overall["verification_factor"]["births"]),
    ):
        assert measure["lower"] <= truth[key] <= measure["upper"], (key, truth[key], measure)
