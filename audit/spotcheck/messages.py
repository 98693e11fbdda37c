"""What the spot check tells a user (zh/en): the errors that stop it and the plan's notes.

Templates are `str.format` strings keyed by a stable name, like the loader's
catalogue (audit.core.messages), so tests build the exact expected text.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # --- plan --------------------------------------------------------------------------------
    "no-women": {
        "zh": "{path}：没有育龄妇女花名册（women 表），无法抽取中心户",
        "en": "{path}: the women register (table women) is missing; "
        "there are no central households to sample",
    },
    "no-period": {
        "zh": "没有报告期：请用 --period YYYY-MM 指定，或在 manifest.json 中写明 period",
        "en": "no reporting period: give --period YYYY-MM or a manifest.json with a period",
    },
    "empty-frame": {
        "zh": "{path}：women 表中没有同时填写村代码与中心户的妇女，无法抽样",
        "en": "{path}: no woman in table women has both village_code and central_household; "
        "there is nothing to sample",
    },
    "unknown-village": {
        "zh": "--villages：{value} 不是本提交中有中心户的村（可选：{known}）",
        "en": "--villages: {value} is not a village with central households in this submission "
        "(known: {known})",
    },
    "size-conflict": {
        "zh": "--households 与 --precision 只能二选一",
        "en": "give either --households or --precision, not both",
    },
    "too-many-households": {
        "zh": "--households {n}：抽样框只有 {frame} 个中心户",
        "en": "--households {n}: the frame has only {frame} central households",
    },
    "too-few-households": {
        "zh": "--households {n}：每村至少抽 2 个中心户才能估计方差，"
        "{villages} 个村至少需要 {minimum} 个",
        "en": "--households {n}: every village needs at least 2 households for a variance; "
        "{villages} villages need at least {minimum}",
    },
    "output-in-submission": {
        "zh": "--output {path}：不能写入提交文件夹（审核从不改动提交文件夹），请换一个位置",
        "en": "--output {path}: the worksheet may not be written into the submission folder "
        "(the audit never changes it); choose another place",
    },
    "note-raised": {
        "zh": "按精度计算需 {n} 个中心户，已提高到 {minimum}（每村至少 2 个）",
        "en": "the precision formula gives {n} households; raised to {minimum} "
        "(at least 2 per village)",
    },
    "note-no-household": {
        "zh": "{count} 名妇女未填村代码或中心户，不在抽样框内",
        "en": "{count} women have no village_code or central_household and are not in the frame",
    },
    "note-duplicate": {
        "zh": "{count} 个身份证号在花名册中重复，只按第一条记录抽样",
        "en": "{count} ID numbers appear more than once on the register; "
        "only the first record is sampled",
    },
    "note-births-no-date": {
        "zh": "样本户中有 {count} 条出生登记缺少出生日期，未列入核查",
        "en": "{count} register births of the sampled households have no birth date "
        "and are not listed",
    },
    "note-births-missing": {
        "zh": "提交中没有出生登记（births 表），出生核查表为空",
        "en": "the submission has no birth register (table births); the births sheet is empty",
    },
    "note-lqas-small": {
        "zh": "{villages} 个村的样本妇女数 n 下，LQAS 生产方风险 α 高于 {alpha}"
        "（两种风险同时满足的最小 n 为 {n_min}，但并非更大的 n 都满足）",
        "en": "{villages} villages have a number of sampled women n for which the LQAS "
        "producer's risk exceeds {alpha} (both risks hold from n = {n_min}, but not at every "
        "larger n)",
    },
    "planned": {
        "zh": "已写入 {path}：{villages} 个村，抽取 {households}/{frame} 个中心户，"
        "{women} 名妇女，{births} 条出生登记；随机种子 {seed}",
        "en": "wrote {path}: {households} of {frame} central households in {villages} villages, "
        "{women} women, {births} register births; seed {seed}",
    },
    # --- score: the workbook -------------------------------------------------------------------
    "not-found": {
        "zh": "{path}：文件不存在（应为 audit spotcheck plan 生成的核查表）",
        "en": "{path}: not found (expected a worksheet written by audit spotcheck plan)",
    },
    "not-xlsx": {
        "zh": "{path}：无法按 Excel 工作簿读取（{detail}）",
        "en": "{path}: cannot be read as an Excel workbook ({detail})",
    },
    "missing-sheet": {
        "zh": "{path}：缺少工作表“{sheet}”（核查表不完整，请用原始文件填写）",
        "en": "{path}: sheet {sheet!r} is missing (the worksheet is incomplete; "
        "fill in the original file)",
    },
    "plan-damaged": {
        "zh": "{path}：隐藏的抽样方案（工作表 {sheet}）已被改动或损坏（{detail}），"
        "请使用原始核查表或重新生成",
        "en": "{path}: the hidden plan (sheet {sheet}) was changed or damaged ({detail}); "
        "use the original worksheet or plan a new one",
    },
    "problems": {
        "zh": "{path}：核查表有 {count} 处问题，无法计分：",
        "en": "{path}: the worksheet cannot be scored, {count} problems:",
    },
    "more-problems": {
        "zh": "……另有 {count} 处",
        "en": "... and {count} more",
    },
    "at": {
        "zh": "工作表“{sheet}”第 {row} 行 {col} 列（{header}）：{what}",
        "en": "sheet {sheet!r}, row {row}, column {col} ({header}): {what}",
    },
    # --- score: what is wrong in a cell ------------------------------------------------------
    "bad-header": {
        "zh": "表头应为“{expected}”，实为“{found}”",
        "en": "the header should be {expected!r}, found {found!r}",
    },
    "edited": {
        "zh": "登记内容被改动：应为“{expected}”，实为“{found}”（灰色列不可修改）",
        "en": "the register's value was edited: expected {expected!r}, found {found!r} "
        "(grey columns must not be changed)",
    },
    "row-missing": {
        "zh": "此行应为 {what}，但已被删除或为空",
        "en": "this row should hold {what} but it was deleted or is empty",
    },
    "row-moved": {
        "zh": "此行应为 {expected}，实为 {found}（行被删除、插入或重新排序；请使用原始核查表）",
        "en": "this row should hold {expected} but holds {found} (rows were deleted, inserted "
        "or sorted; use the original worksheet)",
    },
    "row-extra": {
        "zh": "方案中没有此行（只能在“{sheet}”工作表新增记录）",
        "en": "this row is not in the plan (new records go on sheet {sheet!r})",
    },
    "blank-answer": {
        "zh": "未填写（应为 {codes}）",
        "en": "not filled in (expected one of {codes})",
    },
    "bad-code": {
        "zh": "“{value}”不是有效选项（应为 {codes}）",
        "en": "{value!r} is not one of the codes ({codes})",
    },
    "bad-int": {
        "zh": "“{value}”不是 0 到 20 的整数",
        "en": "{value!r} is not a whole number from 0 to 20",
    },
    "bad-date": {
        "zh": "“{value}”不是有效日期（应为 YYYY-MM-DD）",
        "en": "{value!r} is not a valid date (expected YYYY-MM-DD)",
    },
    "date-outside": {
        "zh": "出生日期 {value} 不在核查期 {start} 至 {end} 内",
        "en": "birth date {value} is outside the window {start} to {end}",
    },
    "answers-not-found": {
        "zh": "已标为“{label}”，核实列应留空",
        "en": "the record is marked {label!r}, so the field columns must stay empty",
    },
    "unknown-household": {
        "zh": "“{value}”不是样本中的中心户（请从下拉列表选择）",
        "en": "{value!r} is not a sampled household (choose one from the dropdown)",
    },
    "missing-value": {
        "zh": "必填项为空",
        "en": "required, but empty",
    },
    "mother-unknown": {
        "zh": "母亲 {value} 既不在“{women}”中该户的名单里，也不在“{new}”中；请先在“{new}”登记她",
        "en": "mother {value} is neither a woman of this household on sheet {women!r} "
        "nor on sheet {new!r}; add her to {new!r} first",
    },
    "mother-not-found": {
        "zh": "母亲 {value} 在“{women}”第 {row} 行被标为查无此人",
        "en": "mother {value} is marked not found on sheet {women!r}, row {row}",
    },
    "woman-listed": {
        "zh": "{value} 已在“{women}”第 {row} 行，请在那里填写核实结果",
        "en": "{value} is already on sheet {women!r}, row {row}; record her there",
    },
    "woman-twice": {
        "zh": "{value} 在本表第 {row} 行已登记过",
        "en": "{value} is already entered on row {row} of this sheet",
    },
}


def message(name: str, lang: str = "zh", /, **fields: object) -> str:
    templates = CATALOGUE[name]
    return templates.get(lang, templates["zh"]).format(**fields)
