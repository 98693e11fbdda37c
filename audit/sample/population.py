"""The women of a synthetic township and every event the four ledgers record about them.

Design: one vectorised life-course simulation, not nine independent tables.
Each woman gets a birth date, a marriage, up to three births (and possibly a
pregnancy under way at the period end), contraceptive episodes between
births, a current method, perhaps an abortion, perhaps a move out or in.
Every ledger is then *derived* from that one history — the birth register,
the operations (放环/取环/结扎/皮埋/人流), the quarterly checks (三查), the
supply issues, the floating-population rows — so the clean township agrees
with itself by construction, record by record, as checks.md demands:

- births follow marriage at 20 or later, are at least two years apart, have
  rising order, and are reported within 25 days; `children` counts them all;
- a long-acting method has its operation on file on its method date; an IUD
  taken out before the next pregnancy has its removal on file; a sterilisation
  comes after the last birth; pregnant women use no method;
- a short-acting user living here draws that item at least every 88 days;
- a checkup says "pregnant" only inside a pregnancy that ends in a birth or
  an abortion, or is still under way and on the register;
- an out-migrant has exactly one open out row with a valid certificate and a
  feedback in the last 92 days; an in-migrant one open in row;
- no date lies after the period end (certificate expiry aside).

Default rates follow the county reports the tool serves: about 3 % of women
give birth in a year (70 % first births, 30 % second, under 1 % third),
sex ratio at birth 112.9, 96 % within policy, about 90 % of married women
using a method with IUD and sterilisation dominant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from audit.core.contract import LONG_ACTING_METHODS, SHORT_ACTING_METHODS, STERILIZATION_METHODS
from audit.core.exitcodes import AuditError
from audit.sample import names
from audit.sample.ids import build_ids, women_sequences
from audit.sample.timeline import MISSING, Timeline, date_series, day, from_day

METHODS = (
    "iud",
    "tubal_ligation",
    "vasectomy",
    "implant",
    "oral_pill",
    "injection",
    "condom",
    "other",
    "none",
)
# Current method by parity (0, 1, 2+ children): probabilities in METHODS order.
METHOD_BY_PARITY = np.array(
    [
        [0.12, 0.00, 0.00, 0.03, 0.22, 0.05, 0.45, 0.05, 0.08],
        [0.72, 0.05, 0.01, 0.06, 0.04, 0.02, 0.08, 0.01, 0.01],
        [0.18, 0.64, 0.06, 0.03, 0.02, 0.01, 0.04, 0.01, 0.01],
    ]
)
PROCEDURE_OF_METHOD = {
    "iud": "iud_insert",
    "tubal_ligation": "tubal_ligation",
    "vasectomy": "vasectomy",
    "implant": "implant_insert",
}
# Age pyramid of women 15..49 (relative cohort sizes, five-year bands).
AGE_BAND_WEIGHTS = (0.7, 0.75, 0.85, 1.0, 1.1, 1.15, 1.2)
P_MALE = 112.9 / 212.9  # sex ratio at birth 112.9
BIRTH_PROBABILITY = (0.93, 0.42, 0.015)  # first, second, third birth (given the previous)
MAX_BIRTH_AGE_DAYS = 16_070  # 44 years: no births simulated later
AGE_20_DAYS = 7_306  # at least 20 full years, whatever the leap days
AGE_16_DAYS = 5_845
GESTATION = 270  # conception to birth, days
POSTPARTUM_DAYS = (3, 40)  # an operation "within 42 days after a delivery", safely inside
ISSUE_INTERVAL = {"condom": 30, "oral_pill": 56, "injection": 84}  # days between issues
QUARTERS_OF_CHECKUPS = 4
# Record ids: a letter and eight digits, numbered in date order (faults append higher ones).
ID_PREFIX = {
    "births": "B",
    "procedures": "P",
    "checkups": "C",
    "supply_issues": "I",
    "migrants": "M",
    "migrant_births": "R",
}


@dataclass
class Township:
    """A generated township: the canonical tables plus internal facts used to plant faults."""

    code: str
    name: str
    timeline: Timeline
    village_codes: tuple[str, ...]
    station_code: str  # the township service station's supply point
    tables: dict[str, pl.DataFrame]
    people: pl.DataFrame  # one row per woman: day numbers and flags behind her records


def _uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day in [lo, hi] for each row (hi >= lo)."""
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _gamma_days(rng: np.random.Generator, shape: float, scale: float, n: int) -> np.ndarray:
    return rng.gamma(shape, scale, n).astype(np.int64)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray, category: np.ndarray) -> np.ndarray:
    """Index of a draw from probs[category[i]] for each row."""
    cum = np.cumsum(probs, axis=1)[category]
    u = rng.random(len(category))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def _text(values: np.ndarray) -> pl.Series:
    """An object array of str as a polars String column (far faster than via numpy's str)."""
    return pl.Series(values.astype(object), dtype=pl.String)


def _date_order(df: pl.DataFrame, date_column: str) -> pl.DataFrame:
    """Rows by date, then by woman (`_who`, her row number; dropped): a cheap numeric sort."""
    return df.sort(date_column, "_who", maintain_order=True).drop("_who")


def _ids_with_prefix(prefix: str, n: int, start: int = 1) -> pl.Series:
    return prefix + pl.Series(np.arange(start, start + n)).cast(pl.String).str.zfill(8)


def simulate(
    tl: Timeline,
    *,
    villages: int,
    women_per_village: int,
    rng: np.random.Generator,
    township_code: str,
    township_name: str,
) -> Township:
    n = villages * women_per_village
    end = tl.end
    village_codes = tuple(f"{township_code[:9]}{v + 1:03d}" for v in range(villages))
    vidx = np.repeat(np.arange(villages), women_per_village)

    # --- age at the period end (15..49) and birth date ----------------------------------
    band = np.repeat(np.array(AGE_BAND_WEIGHTS), 5)
    age = 15 + rng.choice(35, size=n, p=band / band.sum())
    years_back = np.array([tl.years_before_end(a) for a in range(15, 51)], dtype=np.int64)
    birth = _uniform_days(rng, years_back[age - 14] + 1, years_back[age - 15])

    # --- marriage (at 20 or later) ------------------------------------------------------
    first_marriage = birth + AGE_20_DAYS + _gamma_days(rng, 2.0, 700, n)
    ever_married = (rng.random(n) >= 0.03) & (first_marriage <= end)

    # --- births: up to three, two years apart or more ----------------------------------
    gaps = (
        120 + _gamma_days(rng, 2.0, 260, n),
        730 + _gamma_days(rng, 2.0, 520, n),
        730 + _gamma_days(rng, 2.0, 620, n),
    )
    births = np.full((n, 3), MISSING, dtype=np.int64)
    going = ever_married.copy()
    t = first_marriage.copy()
    for k in range(3):
        t = t + gaps[k]
        going &= (rng.random(n) < BIRTH_PROBABILITY[k]) & (t - birth <= MAX_BIRTH_AGE_DAYS)
        births[:, k] = np.where(going, t, MISSING)
    record_delay = rng.integers(35, 71, (n, 3))  # conception -> pregnancy on record
    exists = births != MISSING
    realised = exists & (births <= end)
    children = realised.sum(axis=1)
    last_birth = np.where(realised, births, MISSING).max(axis=1)
    future = exists & (births > end)
    has_next = future.any(axis=1)
    next_k = np.argmax(future, axis=1)
    rows = np.arange(n)
    next_birth = np.where(has_next, births[rows, next_k], MISSING)
    conception = next_birth - GESTATION
    conceived = has_next & (conception <= end)
    trying = has_next & ~conceived & (conception <= end + 120)
    pregnancy_day = conception + record_delay[rows, next_k]
    pregnant = conceived & (pregnancy_day <= end)

    # --- marital status --------------------------------------------------------------------
    free = ever_married & ~conceived & ~trying  # may use a method now
    u = rng.random(n)
    divorced = free & (u < 0.012)
    widowed = free & (u >= 0.012) & (u < 0.017)
    remarriage = first_marriage + rng.integers(365, 3650, n)
    remarried = ever_married & (u >= 0.017) & (u < 0.047) & (remarriage <= end - 30)
    status = np.full(n, "single", dtype=object)
    status[ever_married] = "married"
    status[remarried] = "remarried"
    status[divorced] = "divorced"
    status[widowed] = "widowed"
    marriage = np.where(remarried, remarriage, first_marriage)
    marriage = np.where(ever_married, marriage, MISSING)

    # --- current method and its date -------------------------------------------------------
    m_idx = _choice_rows(rng, METHOD_BY_PARITY, np.minimum(children, 2))
    method = np.array(METHODS, dtype=object)[m_idx]
    is_long = np.isin(method, LONG_ACTING_METHODS)
    since = np.where(children > 0, last_birth, first_marriage)
    postpartum_current = (children > 0) & (rng.random(n) < 0.45)
    off_long = np.where(
        postpartum_current,
        rng.integers(POSTPARTUM_DAYS[0], POSTPARTUM_DAYS[1] + 1, n),
        43 + _gamma_days(rng, 1.5, 120, n),
    )
    off_long = np.where(children == 0, _gamma_days(rng, 2.0, 250, n), off_long)
    off_short = np.where(
        children > 0, 42 + _gamma_days(rng, 1.5, 60, n), _gamma_days(rng, 1.2, 150, n)
    )
    method_day = since + np.where(is_long, off_long, off_short)
    no_method = ~free | (method_day > end) | (method == "none")
    no_method |= (divorced | widowed) & np.isin(method, (*SHORT_ACTING_METHODS, "other"))
    method[no_method] = "none"
    method_day = np.where(no_method, MISSING, method_day)
    is_long = np.isin(method, LONG_ACTING_METHODS)
    # an IUD worn for eight years or more is often replaced (换环, filed as an insertion)
    iud_since = method_day.copy()
    old_iud = (method == "iud") & (method_day < tl.years_before_end(8)) & (rng.random(n) < 0.25)
    method_day = np.where(old_iud, tl.end - rng.integers(0, 8 * 365, n), method_day)
    postpartum_current &= is_long & (method_day - last_birth <= POSTPARTUM_DAYS[1])

    # --- IUD episodes between births (inserted after one, removed before the next) --------
    ep_person, ep_insert, ep_remove, ep_postpartum, ep_birth, ep_slot = [], [], [], [], [], []
    for k in range(2):
        nxt = births[:, k + 1]
        nxt_visible = realised[:, k + 1] | (has_next & (next_k == k + 1) & (conceived | trying))
        ok = realised[:, k] & nxt_visible & (rng.random(n) < 0.75)
        pp = rng.random(n) < 0.45
        ins = births[:, k] + np.where(
            pp,
            rng.integers(POSTPARTUM_DAYS[0], POSTPARTUM_DAYS[1] + 1, n),
            43 + _gamma_days(rng, 1.5, 100, n),
        )
        rem = nxt - GESTATION - rng.integers(20, 151, n)
        ok &= (ins + 60 <= rem) & (rem <= end)
        sel = np.flatnonzero(ok)
        ep_person.append(sel)
        ep_insert.append(ins[sel])
        ep_remove.append(rem[sel])
        ep_postpartum.append(pp[sel])
        ep_birth.append(births[sel, k])
        ep_slot.append(np.full(len(sel), k))
    episodes = {
        "person": np.concatenate(ep_person),
        "insert": np.concatenate(ep_insert),
        "remove": np.concatenate(ep_remove),
        "postpartum": np.concatenate(ep_postpartum),
        "birth": np.concatenate(ep_birth),
        "slot": np.concatenate(ep_slot),
    }

    # --- abortions (人工流产/引产): contraceptive failures of non-long-acting users ---------
    married_now = np.isin(status, ("married", "remarried"))
    ab_lo = np.maximum.reduce(
        [
            np.where(children > 0, last_birth + 300, first_marriage + 60),
            np.full(n, tl.register_start),
        ]
    )
    aborted = married_now & free & ~is_long & (ab_lo < end) & (rng.random(n) < 0.08)
    abortion_day = np.where(aborted, _uniform_days(rng, ab_lo, np.full(n, end)), MISSING)
    abortion_kind = np.where(rng.random(n) < 0.15, "induced_labor", "abortion")

    # --- migration ----------------------------------------------------------------------
    adult = birth + AGE_16_DAYS
    is_in = (rng.random(n) < 0.03) & (age >= 17)
    p_out = np.where((age >= 20) & (age <= 35), 0.16, 0.05)
    is_out = ~is_in & (rng.random(n) < p_out) & (age >= 17)
    returned = ~is_in & ~is_out & (age >= 20) & (rng.random(n) < 0.03)
    move_out = np.minimum(np.maximum(end - 10 - _gamma_days(rng, 1.5, 500, n), adult), end - 10)
    move_in = np.minimum(np.maximum(end - rng.integers(200, 3000, n), adult), end - 200)
    ret_move = np.maximum(end - rng.integers(400, 2500, n), adult)
    ret_back = np.minimum(ret_move + rng.integers(60, 700, n), end - 1)
    residence = np.full(n, "resident", dtype=object)
    residence[is_out] = "out"
    residence[is_in] = "in"
    move_day = np.where(is_out, move_out, np.where(is_in, move_in, MISSING))

    # --- in-migrants who have left again (closed in rows, not on the register) -------------
    n_left = max(1, round(n * 0.008))
    left_age = rng.integers(20, 46, n_left)
    left_birth = _uniform_days(
        rng, years_back[left_age - 14] + 1, years_back[np.minimum(left_age, 49) - 15]
    )
    left_village = rng.integers(0, villages, n_left)
    left_in = np.maximum(end - rng.integers(500, 3000, n_left), left_birth + AGE_16_DAYS)
    left_out = np.minimum(left_in + rng.integers(90, 400, n_left), end - 1)

    # --- identities ---------------------------------------------------------------------
    local_division = int(township_code[:6])
    origin = rng.integers(0, len(names.ORIGINS), n + n_left)
    origin_division = np.array([d for _, d in names.ORIGINS], dtype=np.int64)[origin]
    division = np.full(n + n_left, local_division, dtype=np.int64)
    division[:n][is_in] = origin_division[:n][is_in]
    division[n:] = origin_division[n:]
    all_birth = np.concatenate([birth, left_birth])
    spares = tuple(d for _, d in names.ORIGINS if d != local_division)
    try:
        division, seq = women_sequences(rng, division, all_birth, spares)
    except ValueError as e:
        msg = f"--women-per-village: too many women for distinct ID numbers ({e})"
        raise AuditError(msg) from None
    all_ids = build_ids(division, all_birth, seq)
    all_names = names.full_names(rng, n + n_left, names.WOMAN_GIVEN)
    person_id, left_id = all_ids[:n], all_ids[n:]
    name, left_name = all_names[:n], all_names[n:]
    origin_place = pl.Series([p for p, _ in names.ORIGINS]).gather(pl.Series(origin))

    # --- villager groups (组) and central households (中心户) -------------------------------
    groups = max(1, min(99, round(women_per_village / 35)))
    order = np.lexsort((rng.random(n), vidx))
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n) % women_per_village
    group_no = pos * groups // women_per_village + 1
    household = pos // 12 + 1  # about a dozen women per central household
    vcodes = pl.Series(list(village_codes))
    village_code = vcodes.gather(pl.Series(vidx))

    women = pl.DataFrame(
        {
            "person_id": person_id,
            "name": name,
            "birth_date": date_series("birth_date", birth),
            "village_code": village_code,
            "group_no": group_no,
            "central_household": "中心户"
            + pl.Series(household).cast(pl.String).str.zfill(max(2, len(str(household.max())))),
            "marital_status": _text(status),
            "marriage_date": date_series("marriage_date", marriage),
            "residence": _text(residence),
            "children": children.astype(np.int64),
            "method": _text(method),
            "method_date": date_series("method_date", method_day),
            "pregnant": pregnant,
            "pregnancy_date": date_series(
                "pregnancy_date", np.where(pregnant, pregnancy_day, MISSING)
            ),
        }
    )

    tables: dict[str, pl.DataFrame] = {"women": women}
    tables["births"] = _births(rng, tl, births, realised, person_id, village_code, group_no)
    tables["procedures"] = _procedures(
        rng,
        tl,
        person_id=person_id,
        village_code=village_code,
        residence=residence,
        move_day=move_day,
        episodes=episodes,
        method=method,
        method_day=method_day,
        postpartum_current=postpartum_current,
        last_birth=last_birth,
        abortion_day=abortion_day,
        abortion_kind=abortion_kind,
    )
    tables["checkups"] = _checkups(
        rng,
        tl,
        person_id=person_id,
        village_code=village_code,
        married_now=married_now,
        marriage=marriage,
        residence=residence,
        move_day=move_day,
        births=births,
        record_delay=record_delay,
        abortion_day=abortion_day,
        episodes=episodes,
        method=method,
        method_day=np.where(method == "iud", iud_since, method_day),
    )
    station = f"{township_code[:9]}000"
    tables["supply_issues"] = _supply_issues(
        rng,
        tl,
        person_id=person_id,
        village_code=village_code,
        station=station,
        method=method,
        method_day=method_day,
        residence=residence,
        move_day=move_day,
        married_now=married_now,
        pregnant=pregnant,
    )
    tables["migrants"] = _migrants(
        rng,
        tl,
        women=women,
        is_out=is_out,
        is_in=is_in,
        returned=returned,
        move_out=move_out,
        move_in=move_in,
        ret_move=ret_move,
        ret_back=ret_back,
        origin_place=origin_place[:n],
        left=pl.DataFrame(
            {
                "person_id": left_id,
                "name": left_name,
                "village_code": vcodes.gather(pl.Series(left_village)),
                "move_date": date_series("move_date", left_in),
                "place": origin_place[n:],
                "return_date": date_series("return_date", left_out),
            }
        ),
    )
    tables["migrant_births"] = _migrant_births(rng, tl, tables["births"], tables["migrants"])

    people = pl.DataFrame(
        {
            "person_id": person_id,
            "village_code": village_code,
            "group_no": group_no,
            "age": age,
            "birth_day": birth,
            "marriage_day": marriage,
            "children": children,
            "last_birth_day": last_birth,
            "method": _text(method),
            "method_day": method_day,
            "status": _text(status),
            "residence": _text(residence),
            "pregnant": pregnant,
            "move_day": move_day,
            "division": division[:n],
        }
    )
    return Township(
        code=township_code,
        name=township_name,
        timeline=tl,
        village_codes=village_codes,
        station_code=station,
        tables=tables,
        people=people,
    )


def _births(
    rng: np.random.Generator,
    tl: Timeline,
    births: np.ndarray,
    realised: np.ndarray,
    person_id: pl.Series,
    village_code: pl.Series,
    group_no: np.ndarray,
) -> pl.DataFrame:
    on_register = realised & (births >= tl.register_start)
    who, k = np.nonzero(on_register)
    day_ = births[who, k]
    m = len(who)
    order = np.minimum(k + 1, 3)
    out_of_policy = np.where(order >= 3, rng.random(m) < 0.85, rng.random(m) < 0.02)
    delivery = np.array(["hospital", "home", "other"])[
        _choice_rows(rng, np.array([[0.97, 0.02, 0.01]]), np.zeros(m, dtype=np.int64))
    ]
    who_s = pl.Series(who)
    df = pl.DataFrame(
        {
            "mother_id": person_id.gather(who_s),
            "child_name": names.full_names(rng, m, names.CHILD_GIVEN),
            "child_sex": np.where(rng.random(m) < P_MALE, "M", "F"),
            "child_birth_date": date_series("child_birth_date", day_),
            "birth_order": order.astype(np.int64),
            "policy": np.where(out_of_policy, "out", "in"),
            "village_code": village_code.gather(who_s),
            "group_no": group_no[who],
            "reported_date": date_series(
                "reported_date", np.minimum(day_ + rng.integers(1, 26, m), tl.end)
            ),
            "delivery_place": delivery,
            "_who": who,
        }
    ).pipe(_date_order, "child_birth_date")
    return df.select(pl.Series("birth_id", _ids_with_prefix(ID_PREFIX["births"], m)), pl.all())


def _procedures(
    rng: np.random.Generator,
    tl: Timeline,
    *,
    person_id: pl.Series,
    village_code: pl.Series,
    residence: np.ndarray,
    move_day: np.ndarray,
    episodes: dict[str, np.ndarray],
    method: np.ndarray,
    method_day: np.ndarray,
    postpartum_current: np.ndarray,
    last_birth: np.ndarray,
    abortion_day: np.ndarray,
    abortion_kind: np.ndarray,
) -> pl.DataFrame:
    on_file = tl.register_start
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    ep = episodes
    ins_pp = ep["postpartum"] & (ep["birth"] >= on_file)
    parts.append((ep["person"], ep["insert"], np.full(len(ep["person"]), "iud_insert"), ins_pp))
    parts.append(
        (
            ep["person"],
            ep["remove"],
            np.full(len(ep["person"]), "iud_remove"),
            np.zeros(len(ep["person"]), dtype=bool),
        )
    )
    cur = np.flatnonzero(np.isin(method, LONG_ACTING_METHODS))
    kind = np.select(
        [method[cur] == m for m in PROCEDURE_OF_METHOD], list(PROCEDURE_OF_METHOD.values()), ""
    )
    parts.append(
        (cur, method_day[cur], kind, postpartum_current[cur] & (last_birth[cur] >= on_file))
    )
    ab = np.flatnonzero(abortion_day != MISSING)
    parts.append((ab, abortion_day[ab], abortion_kind[ab], np.zeros(len(ab), dtype=bool)))
    who = np.concatenate([p[0] for p in parts])
    day_ = np.concatenate([p[1] for p in parts])
    proc = np.concatenate([p[2].astype(object) for p in parts])
    postpartum = np.concatenate([p[3] for p in parts])
    keep = (day_ >= on_file) & (day_ <= tl.end)
    who, day_, proc, postpartum = who[keep], day_[keep], proc[keep], postpartum[keep]
    m = len(who)
    facility = np.array(names.FACILITIES)[
        np.where(postpartum, rng.integers(1, 3, m), rng.integers(0, 3, m))
    ].astype(object)
    away = (residence[who] == "out") & (day_ >= move_day[who])
    facility[away] = names.AWAY_FACILITY
    who_s = pl.Series(who)
    df = pl.DataFrame(
        {
            "person_id": person_id.gather(who_s),
            "procedure": _text(proc),
            "procedure_date": date_series("procedure_date", day_),
            "postpartum": postpartum,
            "facility": _text(facility),
            "village_code": village_code.gather(who_s),
            "_who": who,
        }
    ).pipe(_date_order, "procedure_date")
    return df.select(
        pl.Series("procedure_id", _ids_with_prefix(ID_PREFIX["procedures"], m)), pl.all()
    )


def _quarters(tl: Timeline) -> list[tuple[int, int]]:
    """(first day, last day) of the last four calendar quarters, the current one clipped."""
    end = from_day(tl.end)
    q = (end.year * 4 + (end.month - 1) // 3) - np.arange(QUARTERS_OF_CHECKUPS)
    out = []
    for k in q:
        y, qi = divmod(int(k), 4)
        start = date(y, qi * 3 + 1, 1)
        nxt = date(y + (qi == 3), (qi * 3 + 3) % 12 + 1, 1)
        out.append((day(start), min(day(nxt) - 1, tl.end)))
    return out


def _checkups(
    rng: np.random.Generator,
    tl: Timeline,
    *,
    person_id: pl.Series,
    village_code: pl.Series,
    married_now: np.ndarray,
    marriage: np.ndarray,
    residence: np.ndarray,
    move_day: np.ndarray,
    births: np.ndarray,
    record_delay: np.ndarray,
    abortion_day: np.ndarray,
    episodes: dict[str, np.ndarray],
    method: np.ndarray,
    method_day: np.ndarray,
) -> pl.DataFrame:
    n = len(method)
    # per woman: her IUD episodes between births (after the first, after the second)
    ep_ins = np.full((n, 2), MISSING, dtype=np.int64)
    ep_rem = np.full((n, 2), MISSING, dtype=np.int64)
    ep_ins[episodes["person"], episodes["slot"]] = episodes["insert"]
    ep_rem[episodes["person"], episodes["slot"]] = episodes["remove"]
    who_all, day_all = [], []
    for q_start, q_end in _quarters(tl):
        lo = np.maximum(np.full(n, q_start), marriage)
        lo = np.where(residence == "in", np.maximum(lo, move_day), lo)
        hi = np.full(n, q_end)
        hi = np.where(residence == "out", np.minimum(hi, move_day - 1), hi)
        ok = married_now & (lo <= hi)
        sel = np.flatnonzero(ok)
        who_all.append(sel)
        day_all.append(_uniform_days(rng, lo[sel], hi[sel]))
    who = np.concatenate(who_all)
    d = np.concatenate(day_all)
    b = births[who]
    rec = b - GESTATION + record_delay[who]
    preg = ((b != MISSING) & (rec <= d[:, None]) & (d[:, None] < b)).any(axis=1)
    ab = abortion_day[who]
    preg |= (ab != MISSING) & (ab - 45 <= d) & (d < ab)
    in_ep = (
        (ep_ins[who] != MISSING) & (ep_ins[who] <= d[:, None]) & (d[:, None] < ep_rem[who])
    ).any(axis=1)
    m_now = method[who]
    started = (method_day[who] != MISSING) & (method_day[who] <= d)
    iud = in_ep | ((m_now == "iud") & started)
    sterilised = np.isin(m_now, STERILIZATION_METHODS) & started
    m = len(who)
    who_s = pl.Series(who)
    df = pl.DataFrame(
        {
            "person_id": person_id.gather(who_s),
            "checkup_date": date_series("checkup_date", d),
            "iud_present": pl.Series(iud).scatter(np.flatnonzero(sterilised), None)
            if sterilised.any()
            else pl.Series(iud),
            "pregnant": preg,
            "illness": rng.random(m) < 0.03,
            "village_code": village_code.gather(who_s),
            "_who": who,
        }
    ).pipe(_date_order, "checkup_date")
    return df.select(pl.Series("checkup_id", _ids_with_prefix(ID_PREFIX["checkups"], m)), pl.all())


def _supply_issues(
    rng: np.random.Generator,
    tl: Timeline,
    *,
    person_id: pl.Series,
    village_code: pl.Series,
    station: str,
    method: np.ndarray,
    method_day: np.ndarray,
    residence: np.ndarray,
    move_day: np.ndarray,
    married_now: np.ndarray,
    pregnant: np.ndarray,
) -> pl.DataFrame:
    here = residence != "out"
    users = np.flatnonzero(np.isin(method, SHORT_ACTING_METHODS) & here)
    item = method[users]
    base = np.select([item == i for i in ISSUE_INTERVAL], list(ISSUE_INTERVAL.values()), 30)
    step = base + rng.integers(-4, 5, len(users))
    phase = np.floor(rng.random(len(users)) * step).astype(np.int64)
    floor = np.maximum(method_day[users], tl.stock_start)
    floor = np.where(residence[users] == "in", np.maximum(floor, move_day[users]), floor)
    j = np.arange(8)
    dates = (tl.end - phase)[:, None] - j[None, :] * step[:, None]
    # the latest issue is never missed: a woman who started after it got hers on the day
    dates[:, 0] = np.maximum(dates[:, 0], floor)
    valid = dates >= floor[:, None]
    r, c = np.nonzero(valid)
    who = users[r]
    d = dates[r, c]
    it = item[r]
    m = len(who)
    qty = np.where(
        it == "condom",
        rng.choice(np.array([10, 20, 30]), m, p=[0.3, 0.5, 0.2]),
        np.where(it == "oral_pill", rng.integers(1, 4, m), 1),
    )
    at_station = (rng.random(len(method)) < 0.15)[who]
    # emergency pills now and then to married women using condoms or nothing
    em = np.flatnonzero(
        married_now
        & here
        & ~pregnant
        & np.isin(method, ("condom", "none"))
        & (rng.random(len(method)) < 0.01)
    )
    em_lo = np.maximum(tl.stock_start, np.where(residence[em] == "in", move_day[em], 0))
    em_day = _uniform_days(rng, em_lo, np.full(len(em), tl.end))
    who = np.concatenate([who, em])
    d = np.concatenate([d, em_day])
    it = np.concatenate([it, np.full(len(em), "emergency_pill", dtype=object)])
    qty = np.concatenate([qty, rng.integers(1, 3, len(em))])
    at_station = np.concatenate([at_station, np.zeros(len(em), dtype=bool)])
    who_s = pl.Series(who)
    vc = village_code.gather(who_s)
    df = pl.DataFrame(
        {
            "person_id": person_id.gather(who_s),
            "village_code": vc,
            "point_code": pl.select(
                pl.when(pl.lit(pl.Series(at_station))).then(pl.lit(station)).otherwise(pl.lit(vc))
            ).to_series(),
            "item": _text(it),
            "quantity": qty.astype(np.int64),
            "issue_date": date_series("issue_date", d),
            "_who": who,
        }
    ).pipe(_date_order, "issue_date")
    return df.select(
        pl.Series("issue_id", _ids_with_prefix(ID_PREFIX["supply_issues"], len(df))), pl.all()
    )


def _certificates(
    rng: np.random.Generator, tl: Timeline, move: np.ndarray, *, renew: bool
) -> tuple[pl.Series, np.ndarray]:
    """婚育证明: number and expiry (valid three years; renewed while away when `renew`)."""
    m = len(move)
    issued = move.astype(np.int64) - rng.integers(0, 31, m)
    if renew:
        issued = np.minimum(np.maximum(issued, tl.end - rng.integers(30, 900, m)), tl.end)
    year = issued.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    serial = rng.integers(1, 100000, m)
    number = (
        "婚育证〔"
        + pl.Series(year).cast(pl.String)
        + "〕"
        + pl.Series(serial).cast(pl.String).str.zfill(5)
        + "号"
    )
    return number, issued + 3 * 365


def _migrants(
    rng: np.random.Generator,
    tl: Timeline,
    *,
    women: pl.DataFrame,
    is_out: np.ndarray,
    is_in: np.ndarray,
    returned: np.ndarray,
    move_out: np.ndarray,
    move_in: np.ndarray,
    ret_move: np.ndarray,
    ret_back: np.ndarray,
    origin_place: pl.Series,
    left: pl.DataFrame,
) -> pl.DataFrame:
    end = tl.end
    frames = []
    for mask, direction, move, back, place_of in (
        (is_out, "out", move_out, None, "destination"),
        (returned, "out", ret_move, ret_back, "destination"),
        (is_in, "in", move_in, None, "origin"),
    ):
        sel = np.flatnonzero(mask)
        m = len(sel)
        w = women[sel]
        cert, expiry = _certificates(rng, tl, move[sel], renew=back is None)
        has_cert = np.ones(m, dtype=bool) if direction == "out" else rng.random(m) < 0.9
        until = end if back is None else back[sel]
        feedback = until - np.floor(rng.random(m) * np.minimum(86, until - move[sel] + 1)).astype(
            np.int64
        )
        place = (
            names.pick(rng, names.DESTINATIONS, m)
            if place_of == "destination"
            else origin_place.gather(pl.Series(sel))
        )
        frames.append(
            pl.DataFrame(
                {
                    "person_id": w["person_id"],
                    "name": w["name"],
                    "direction": np.full(m, direction),
                    "village_code": w["village_code"],
                    "move_date": date_series("move_date", move[sel]),
                    "place": place,
                    "marital_status": w["marital_status"],
                    "certificate_no": cert.scatter(np.flatnonzero(~has_cert), None)
                    if (~has_cert).any()
                    else cert,
                    "certificate_expiry": date_series(
                        "certificate_expiry", np.where(has_cert, expiry, MISSING)
                    ),
                    "last_feedback_date": date_series("last_feedback_date", feedback),
                    "return_date": date_series(
                        "return_date", np.full(m, MISSING) if back is None else back[sel]
                    ),
                }
            )
        )
    cert, expiry = _certificates(rng, tl, left["move_date"].to_physical().to_numpy(), renew=False)
    frames.append(
        left.with_columns(
            direction=pl.lit("in"),
            marital_status=pl.lit("married"),
            certificate_no=cert,
            certificate_expiry=date_series("certificate_expiry", expiry),
            last_feedback_date=pl.col("return_date"),
        ).select(frames[0].columns)
    )
    df = pl.concat(frames).sort("move_date", "person_id", "direction")
    return df.select(
        pl.Series("migrant_id", _ids_with_prefix(ID_PREFIX["migrants"], len(df))), pl.all()
    )


def _migrant_births(
    rng: np.random.Generator, tl: Timeline, births: pl.DataFrame, migrants: pl.DataFrame
) -> pl.DataFrame:
    """Births of women away, as the exchange notifies them (流动人口信息通报)."""
    away = migrants.filter((pl.col("direction") == "out") & pl.col("return_date").is_null()).select(
        pl.col("person_id").alias("mother_id"), "move_date", "place"
    )
    b = births.join(away, on="mother_id").filter(pl.col("child_birth_date") > pl.col("move_date"))
    b = b.sort("birth_id")
    m = len(b)
    born = b["child_birth_date"].to_physical().to_numpy().astype(np.int64)
    noted = np.minimum(born + rng.choice(np.array([-1, 0, 0, 0, 1]), m), tl.end)
    dest = b["place"]
    df = pl.DataFrame(
        {
            "mother_id": b["mother_id"],
            "child_sex": b["child_sex"],
            "child_birth_date": date_series("child_birth_date", noted),
            "reported_date": date_series(
                "reported_date", np.minimum(born + rng.integers(10, 61, m), tl.end)
            ),
            "place": dest,
        }
    ).sort("child_birth_date", "mother_id")
    return df.select(
        pl.Series("report_id", _ids_with_prefix(ID_PREFIX["migrant_births"], m)), pl.all()
    )
