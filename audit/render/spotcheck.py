"""Renderers of a scored spot check: terminal table (rich), JSON, XLSX.

Each reads one `SpotcheckScore` (audit.core.spotcheck) and computes nothing:
estimates, intervals and LQAS rules come from the score. Labels are zh/en.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

from audit.core.spotcheck import FIELDS, AreaScore, LqasRule, Proportion, Ratio, SpotcheckScore
from audit.render.printsetup import Page, setup, wrapped_height

FORMATS = ("table", "json", "xlsx")

LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "统计数字质量抽查评分", "en": "Spot-check score"},
    "township": {"zh": "乡镇", "en": "township"},
    "period": {"zh": "报告期", "en": "period"},
    "window": {"zh": "核查期", "en": "window"},
    "worksheet": {"zh": "核查表", "en": "worksheet"},
    "seed": {"zh": "随机种子", "en": "seed"},
    "design": {"zh": "样本", "en": "sample"},
    "design_text": {
        "zh": "{households}/{frame} 个中心户，按村分层（{allocation}）",
        "en": "{households} of {frame} central households, stratified by village ({allocation})",
    },
    "proportional": {"zh": "按比例分配", "en": "proportional allocation"},
    "neyman": {"zh": "奈曼分配", "en": "Neyman allocation"},
    "overall": {"zh": "全乡镇（按设计加权）", "en": "Township (design-weighted)"},
    "villages": {"zh": "分村", "en": "Villages"},
    "fields": {"zh": "分项差错率", "en": "Error rate by field"},
    "measure": {"zh": "指标", "en": "measure"},
    "estimate": {"zh": "估计", "en": "estimate"},
    "ci": {"zh": "{level} 置信区间", "en": "{level} interval"},
    "sample": {"zh": "样本", "en": "sample"},
    "under_report": {"zh": "出生漏报率", "en": "birth under-reporting"},
    "error_rate": {"zh": "登记差错率（全部项目）", "en": "register error rate (all fields)"},
    "vf_women": {"zh": "核实系数·妇女", "en": "verification factor, women"},
    "vf_births": {"zh": "核实系数·出生", "en": "verification factor, births"},
    "method": {"zh": "避孕方法", "en": "method"},
    "marital_status": {"zh": "婚姻状况", "en": "marital status"},
    "children": {"zh": "现有子女数", "en": "children"},
    "pregnant": {"zh": "孕情", "en": "pregnant"},
    "residence": {"zh": "居住状态", "en": "residence"},
    "of_births": {
        "zh": "入户发现出生 {den} 例，其中未登记 {num} 例",
        "en": "{num} of {den} births found in the field not on the register",
    },
    "of_fields": {"zh": "核实 {den} 项，错 {num} 项", "en": "{num} of {den} fields wrong"},
    "of_vf": {"zh": "实地 {field} / 登记 {register}", "en": "field {field} / register {register}"},
    "none": {"zh": "—", "en": "—"},
    "village": {"zh": "村代码", "en": "village"},
    "households": {"zh": "户", "en": "households"},
    "women": {"zh": "妇女\n登记/属实/漏登", "en": "women\nlisted/found/new"},
    "births": {"zh": "出生\n登记/属实/漏报", "en": "births\nlisted/conf./new"},
    "short_under": {"zh": "出生漏报率", "en": "under-reporting"},
    "short_error": {"zh": "登记差错率", "en": "error rate"},
    "short_vf_women": {"zh": "核实系数\n妇女", "en": "VF\nwomen"},
    "short_vf_births": {"zh": "核实系数\n出生", "en": "VF\nbirths"},
    "lqas": {"zh": "LQAS 判定", "en": "LQAS"},
    "n": {"zh": "n", "en": "n"},
    "defective": {"zh": "有误", "en": "defective"},
    "d": {"zh": "d", "en": "d"},
    "beta": {"zh": "β", "en": "beta"},
    "alpha": {"zh": "α", "en": "alpha"},
    "pass": {"zh": "合格", "en": "pass"},
    "fail": {"zh": "不合格", "en": "fail"},
    "undecided": {"zh": "样本不足", "en": "too few"},
    "rule_title": {"zh": "LQAS 判定规则", "en": "LQAS decision rule"},
    "rule": {
        "zh": "单位：一名育龄妇女的个案及其出生"
        "（查无此人、任一项目不符、出生未登记或查无、漏登均为有误）。"
        "村内有误个案不超过 d 个判为合格。d 取满足 P(X ≤ d | n, {upper}) ≤ {beta} 的最大值"
        "（使用方风险 β：差错率 {upper} 的村被判合格的概率）；生产方风险 α = P(X > d | n, {lower})"
        "（差错率 {lower} 的村被判不合格的概率），按各村的 n 计算，高于 {alpha} 时标“!”。"
        "两种风险同时满足的最小 n 为 {n_min}；d 随 n 阶梯增加，α 不随 n 单调下降{gaps_zh}。",
        "en": "Unit: a woman's record with her births (not found, any field wrong, a birth "
        "missing or not found, or a woman missing from the register make it defective). A "
        "village passes when at most d of its n records are defective; d is the largest "
        "number with P(X <= d | n, {upper}) <= {beta} (consumer's risk beta: passing a "
        "village whose error rate is {upper}); the producer's risk alpha = P(X > d | n, "
        "{lower}) (failing a village at {lower}) is computed for each village's n and marked "
        "'!' when above {alpha}. The smallest n holding both risks is {n_min}; d grows in "
        "steps, so alpha does not fall steadily with n{gaps_en}.",
    },
    "rule_line": {
        "zh": "{village}：n = {n}，d = {d}，有误 {defective} → {decision}；β = {beta}，α = {alpha}",
        "en": "{village}: n = {n}, d = {d}, defective {defective} → {decision}; "
        "beta = {beta}, alpha = {alpha}",
    },
    "rule_none": {
        "zh": "{village}：n = {n}，少于 {n_min_beta}，任何 d 都不能使 β ≤ {beta}，无法判定",
        "en": "{village}: n = {n} is below {n_min_beta}; no d keeps beta <= {beta}, no decision",
    },
    "alpha_mark": {
        "zh": "“!”：按该村个案数 n 计算的生产方风险 α 高于 {alpha}（合格的村也可能被判不合格）",
        "en": "'!': for the village's n records the producer's risk alpha is above {alpha} "
        "(a good village may be failed)",
    },
    "gaps_zh": {"zh": "（n = {runs} 时 α 仍高于 {alpha}）", "en": ""},
    "gaps_en": {"zh": "", "en": " (at n = {runs} alpha is still above {alpha})"},
    "alpha_high": {"zh": "（高于 {alpha}）", "en": " (above {alpha})"},
    # score workbook headers: every column says what it holds, in the report's language
    "low_of": {"zh": "{measure} {level}下限", "en": "{measure}, {level} low"},
    "high_of": {"zh": "{measure} {level}上限", "en": "{measure}, {level} high"},
    "households_frame": {"zh": "中心户总数 N_h", "en": "households in frame N_h"},
    "households_sampled": {"zh": "抽取中心户 n_h", "en": "households sampled n_h"},
    "women_listed": {"zh": "妇女·登记", "en": "women listed"},
    "women_found": {"zh": "妇女·属实", "en": "women found"},
    "women_new": {"zh": "妇女·漏登", "en": "women not on register"},
    "births_listed": {"zh": "出生·登记", "en": "births listed"},
    "births_confirmed": {"zh": "出生·属实", "en": "births confirmed"},
    "births_new": {"zh": "出生·漏报", "en": "births not on register"},
    "records_n": {"zh": "个案数 n", "en": "records n"},
    "d_col": {"zh": "判定数 d", "en": "acceptance number d"},
    "beta_col": {"zh": "使用方风险 β", "en": "consumer's risk beta"},
    "alpha_col": {"zh": "生产方风险 α", "en": "producer's risk alpha"},
    "fields_n": {"zh": "{measure} 核实项数", "en": "{measure}, fields checked"},
    "sheet_overall": {"zh": "总体", "en": "Overall"},
    "sheet_villages": {"zh": "分村", "en": "Villages"},
    "sheet_fields": {"zh": "分项差错率", "en": "Error rate by field"},
}


def _l(key: str, lang: str, **kw: Any) -> str:
    text = LABELS[key].get(lang, LABELS[key]["zh"])
    return text.format(**kw) if kw else text


def _pct(x: float | None, digits: int = 1) -> str:
    if x is None or math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞"
    return f"{x * 100:.{digits}f}%"


def _num(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞"
    return f"{x:.3f}"


def _interval(m: Proportion | Ratio | None) -> str:
    if m is None:
        return "—"
    if isinstance(m, Proportion):
        return f"[{_pct(m.lower)}, {_pct(m.upper)}]"
    return f"[{_num(m.lower)}, {_num(m.upper)}]"


def _value(m: Proportion | Ratio | None) -> str:
    if m is None:
        return "—"
    return _pct(m.estimate) if isinstance(m, Proportion) else _num(m.estimate)


def _compact(m: Proportion | Ratio | None) -> str:
    """'1.8% (0.6–5.1)' or '0.965 (0.907–1.010)': a village cell with its interval."""
    if m is None:
        return "—"
    if isinstance(m, Proportion):
        lo, hi = _pct(m.lower).rstrip("%"), _pct(m.upper).rstrip("%")
        return f"{_pct(m.estimate)}\n({lo}–{hi})"
    return f"{_num(m.estimate)}\n({_num(m.lower)}–{_num(m.upper)})"


def _measures(a: AreaScore, lang: str) -> list[tuple[str, Proportion | Ratio | None, str]]:
    def prop_sample(key: str, p: Proportion | None) -> str:
        return "" if p is None else _l(key, lang, num=p.numerator, den=p.denominator)

    def ratio_sample(r: Ratio | None) -> str:
        return "" if r is None else _l("of_vf", lang, field=r.field, register=r.register)

    rows: list[tuple[str, Proportion | Ratio | None, str]] = [
        (_l("under_report", lang), a.under_report, prop_sample("of_births", a.under_report)),
        (_l("error_rate", lang), a.error_rate, prop_sample("of_fields", a.error_rate)),
    ]
    for f in FIELDS:
        p = a.field_errors[f]
        rows.append(("  " + _l(f, lang), p, prop_sample("of_fields", p)))
    rows.append((_l("vf_women", lang), a.vf_women, ratio_sample(a.vf_women)))
    rows.append((_l("vf_births", lang), a.vf_births, ratio_sample(a.vf_births)))
    return rows


def rule_lines(score: SpotcheckScore, lang: str) -> list[str]:
    s = score.lqas
    n_min = score.villages[0].lqas.n_min if score.villages and score.villages[0].lqas else 0
    alpha = _pct(s.alpha, 0)
    runs = "、".join(f"{a}–{b}" if a != b else f"{a}" for a, b in score.lqas_alpha_gaps)
    lines = [
        _l(
            "rule",
            lang,
            upper=_pct(s.upper, 0),
            lower=_pct(s.lower, 0),
            alpha=alpha,
            beta=_pct(s.beta, 0),
            n_min=n_min,
            gaps_zh=_l("gaps_zh", lang, runs=runs, alpha=alpha) if runs else "",
            gaps_en=_l("gaps_en", lang, runs=runs.replace("、", ", "), alpha=alpha) if runs else "",
        )
    ]
    for v in score.villages:
        rule = v.lqas
        assert rule is not None
        lines.append(_rule_line(v, rule, lang))
    return lines


def _rule_line(v: AreaScore, rule: LqasRule, lang: str) -> str:
    s = rule.settings
    if rule.d is None:
        n_min_beta = math.ceil(math.log(s.beta) / math.log1p(-s.upper))
        return _l(
            "rule_none",
            lang,
            village=v.village_code,
            n=rule.n,
            n_min_beta=n_min_beta,
            beta=_pct(s.beta, 0),
        )
    alpha = _pct(rule.alpha)
    if not rule.meets_alpha:
        alpha += _l("alpha_high", lang, alpha=_pct(s.alpha, 0))
    return _l(
        "rule_line",
        lang,
        village=v.village_code,
        n=rule.n,
        d=rule.d,
        defective=v.defective,
        decision=_l(v.decision or "undecided", lang),
        beta=_pct(rule.beta),
        alpha=alpha,
    )


def _header_lines(score: SpotcheckScore, lang: str) -> list[str]:
    m = score.meta
    design = m.get("design", {})
    township = " ".join(x for x in (m.get("township_code"), m.get("township_name")) if x)
    window = m.get("window", {})
    return [
        f"{_l('township', lang)} {township}   {_l('period', lang)} {m.get('period', '')}   "
        f"{_l('window', lang)} {window.get('start', '')} – {window.get('end', '')}",
        f"{_l('worksheet', lang)} {m.get('worksheet', '')}   "
        f"{_l('seed', lang)} {m.get('seed', '')}   "
        + _l(
            "design_text",
            lang,
            households=design.get("households", ""),
            frame=design.get("households_frame", ""),
            allocation=_l(design.get("allocation", "proportional"), lang),
        ),
    ]


# --- table ---------------------------------------------------------------------------------


def render_table(
    score: SpotcheckScore, *, lang: str = "zh", color: bool = False, width: int = 140
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(f"[bold]{_l('title', lang)}[/bold]")
    for line in _header_lines(score, lang):
        console.print(line, markup=False)
    level = _pct(score.confidence, 0)
    t = Table(title=_l("overall", lang), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column(_l("measure", lang))
    t.add_column(_l("estimate", lang), justify="right")
    t.add_column(_l("ci", lang, level=level), justify="right")
    t.add_column(_l("sample", lang))
    for name, m, sample in _measures(score.overall, lang):
        t.add_row(name, _value(m), _interval(m), sample)
    console.print(t)

    v = Table(title=_l("villages", lang), box=box.SIMPLE_HEAVY, title_justify="left")
    for key in (
        "village",
        "households",
        "women",
        "births",
        "short_under",
        "short_error",
        "short_vf_women",
        "short_vf_births",
    ):
        v.add_column(_l(key, lang), justify="left" if key == "village" else "right", no_wrap=True)
    for a in score.villages:
        v.add_row(
            a.village_code or "",
            f"{a.households}/{a.households_frame}",
            f"{a.women_listed}/{a.women_found}/{a.women_field_only}",
            f"{a.births_listed}/{a.births_confirmed}/{a.births_field_only}",
            _compact(a.under_report),
            _compact(a.error_rate),
            _compact(a.vf_women),
            _compact(a.vf_births),
        )
    console.print(v)
    q = Table(title=_l("rule_title", lang), box=box.SIMPLE_HEAVY, title_justify="left")
    for key in ("village", "n", "defective", "d", "beta", "alpha", "lqas"):
        q.add_column(
            _l(key, lang), justify="left" if key in ("village", "lqas") else "right", no_wrap=True
        )
    for a in score.villages:
        rule = a.lqas
        assert rule is not None
        decision = _l(a.decision or "undecided", lang)
        style = {"pass": "green", "fail": "bold red"}.get(a.decision or "", "yellow")
        alpha = _pct(rule.alpha) + ("" if rule.meets_alpha or rule.alpha is None else " !")
        q.add_row(
            a.village_code or "",
            str(a.records),
            str(a.defective),
            "—" if rule.d is None else str(rule.d),
            _pct(rule.beta),
            alpha,
            f"[{style}]{decision}[/{style}]",
        )
    console.print(q)
    for line in rule_lines(score, lang)[:1]:
        console.print(line, markup=False)
    if any(
        a.lqas is not None and a.lqas.d is not None and not a.lqas.meets_alpha
        for a in score.villages
    ):
        console.print(_l("alpha_mark", lang, alpha=_pct(score.lqas.alpha, 0)), markup=False)
    return buf.getvalue()


# --- json ----------------------------------------------------------------------------------


def _finite(x: Any) -> Any:
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def render_json(score: SpotcheckScore) -> str:
    return json.dumps(_finite(score.to_dict()), ensure_ascii=False, indent=2) + "\n"


# --- xlsx ----------------------------------------------------------------------------------


def render_xlsx(score: SpotcheckScore, *, lang: str = "zh") -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    # Names and codes from the worksheet stay text, never formulas or links.
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
    pct = wb.add_format({"num_format": "0.0%", "border": 1})
    num = wb.add_format({"num_format": "0.000", "border": 1})
    cell = wb.add_format({"border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    level = _pct(score.confidence, 0)

    def put(sh: Any, r: int, c: int, x: Any, fmt: Any) -> None:
        if x is None or (isinstance(x, float) and (math.isinf(x) or math.isnan(x))):
            sh.write_blank(r, c, None, cell)
        else:
            sh.write(r, c, x, fmt)

    m = score.meta
    township = " ".join(x for x in (m.get("township_name"), m.get("township_code")) if x)
    page = Page(township or "—", str(m.get("period", "")), lang)

    def low(name: str) -> str:
        return _l("low_of", lang, measure=name, level=level)

    def high(name: str) -> str:
        return _l("high_of", lang, measure=name, level=level)

    def header_row(sh: Any, row: int, heads: list[str], widths: list[float]) -> None:
        for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
            sh.write(row, c, h, head)
            sh.set_column(c, c, w)
        sh.set_row(row, max(wrapped_height(h, w) for h, w in zip(heads, widths, strict=True)))
        sh.freeze_panes(row + 1, 1)

    sh = wb.add_worksheet("总体 Overall")
    sh.write(0, 0, _l("title", lang), bold)
    for i, line in enumerate(_header_lines(score, lang)):
        sh.write(1 + i, 0, line)
    heads = [
        _l("measure", lang),
        _l("estimate", lang),
        low("").strip(" ,"),
        high("").strip(" ,"),
        _l("sample", lang),
    ]
    widths = [30.0, 11.0, 11.0, 11.0, 40.0]
    header_row(sh, 4, heads, widths)
    for r, (name, m_, sample) in enumerate(_measures(score.overall, lang), start=5):
        fmt = pct if isinstance(m_, Proportion) else num
        sh.write(r, 0, name, cell)
        put(sh, r, 1, None if m_ is None else m_.estimate, fmt)
        put(sh, r, 2, None if m_ is None else m_.lower, fmt)
        put(sh, r, 3, None if m_ is None else m_.upper, fmt)
        sh.write(r, 4, sample, cell)
    setup(sh, page, _l("sheet_overall", lang), width=sum(widths), repeat_rows=(4, 4))

    sv = wb.add_worksheet("分村 Villages")
    cols = [
        _l("village", lang),
        _l("households_sampled", lang),
        _l("households_frame", lang),
        _l("women_listed", lang),
        _l("women_found", lang),
        _l("women_new", lang),
        _l("births_listed", lang),
        _l("births_confirmed", lang),
        _l("births_new", lang),
    ]
    vwidths = [14.0] + [7.5] * 8
    for key in ("under_report", "error_rate", "vf_women", "vf_births"):
        name = _l(key, lang)
        cols += [name, low(name), high(name)]
        vwidths += [9.0, 9.0, 9.0]
    cols += [
        _l("records_n", lang),
        _l("defective", lang),
        _l("d_col", lang),
        _l("beta_col", lang),
        _l("alpha_col", lang),
        _l("lqas", lang),
    ]
    vwidths += [7.0, 7.0, 7.0, 8.0, 8.0, 9.0]
    header_row(sv, 0, cols, vwidths)
    for r, a in enumerate(score.villages, start=1):
        row: list[tuple[Any, Any]] = [
            (a.village_code, cell),
            (a.households, cell),
            (a.households_frame, cell),
            (a.women_listed, cell),
            (a.women_found, cell),
            (a.women_field_only, cell),
            (a.births_listed, cell),
            (a.births_confirmed, cell),
            (a.births_field_only, cell),
        ]
        for m_ in (a.under_report, a.error_rate, a.vf_women, a.vf_births):
            fmt = num if isinstance(m_, Ratio) else pct
            row += [
                (None if m_ is None else x, fmt)
                for x in (
                    None if m_ is None else m_.estimate,
                    None if m_ is None else m_.lower,
                    None if m_ is None else m_.upper,
                )
            ]
        rule = a.lqas
        row += [
            (a.records, cell),
            (a.defective, cell),
            (None if rule is None else rule.d, cell),
            (None if rule is None else rule.beta, pct),
            (None if rule is None else rule.alpha, pct),
            (_l(a.decision or "undecided", lang), cell),
        ]
        for c, (x, fmt) in enumerate(row):
            put(sv, r, c, x, fmt)
    setup(sv, page, _l("sheet_villages", lang), width=sum(vwidths), repeat_rows=(0, 0))
    sv.repeat_columns(0, 0)

    sf = wb.add_worksheet("分项 Fields")
    field_heads = [_l("village", lang)]
    fwidths = [24.0]
    for f in FIELDS:
        name = _l(f, lang)
        field_heads += [name, low(name), high(name), _l("fields_n", lang, measure=name)]
        fwidths += [9.0, 9.0, 9.0, 8.0]
    header_row(sf, 0, field_heads, fwidths)
    for r, a in enumerate((*score.villages, score.overall), start=1):
        sf.write(r, 0, a.village_code or _l("overall", lang), cell)
        for k, f in enumerate(FIELDS):
            p = a.field_errors[f]
            base = 1 + 4 * k
            put(sf, r, base, None if p is None else p.estimate, pct)
            put(sf, r, base + 1, None if p is None else p.lower, pct)
            put(sf, r, base + 2, None if p is None else p.upper, pct)
            put(sf, r, base + 3, None if p is None else p.denominator, cell)
    setup(sf, page, _l("sheet_fields", lang), width=sum(fwidths), repeat_rows=(0, 0))

    sl = wb.add_worksheet("LQAS")
    sl.write(0, 0, _l("rule_title", lang), bold)
    sl.set_column(0, 0, 120)
    for i, line in enumerate(rule_lines(score, lang), start=1):
        sl.write(i, 0, line, wrap)
        sl.set_row(i, wrapped_height(line, 120))
    setup(sl, page, _l("rule_title", lang), width=120, landscape=True)
    wb.close()
    return buf.getvalue()


def render(
    score: SpotcheckScore, fmt: str, *, lang: str = "zh", color: bool = False
) -> str | bytes:
    if fmt == "json":
        return render_json(score)
    if fmt == "xlsx":
        return render_xlsx(score, lang=lang)
    return render_table(score, lang=lang, color=color)
