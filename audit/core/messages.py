"""Message catalogue of the loader (zh/en), as data.

Every line the loader shows a user — load findings and the one-line errors
that stop an audit (exit 2) — is a `str.format` template here, keyed by a
stable name, so wording and translation live in one place and tests can build
the exact expected text with `message()`. Pure: stdlib only.
"""

from __future__ import annotations

LANGS = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # --- load findings (one per record or table; shown to village officers) -------------------
    "table-missing": {
        "zh": "缺少{title}（{table}）："
        "提交文件夹中没有 {table}.csv、{table}.xlsx 或 {table}.parquet",
        "en": "table {table} ({title}) is missing: "
        "no {table}.csv, {table}.xlsx or {table}.parquet in the submission",
    },
    "table-missing-other": {
        "zh": "缺少{title}（{table}）：找到 {found}，但只能读取 {table}.csv、{table}.xlsx 或 "
        "{table}.parquet",
        "en": "table {table} ({title}) is missing: found {found}, "
        "but only {table}.csv, {table}.xlsx or {table}.parquet can be read",
    },
    "column-missing": {
        "zh": "{file} 缺少列 {column}（应有表头 {expected}），该列按空值处理",
        "en": "{file}: no column {column} (expected a header {expected}); the column is left empty",
    },
    "expected-headers": {
        "zh": "{column} 或 {aliases} 之一",
        "en": "{column} or one of {aliases}",
    },
    "key-missing": {
        "zh": "表头下第 {row} 行的主键 {columns} 为空，无法对应到记录",
        "en": "data row {row} (below the header): the key {columns} is empty, "
        "the row cannot be matched to a record",
    },
    "cell-invalid-date": {
        "zh": "{column} 的值“{value}”不是有效日期（应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）",
        "en": "{column}: {value!r} is not a valid date "
        "(expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)",
    },
    "cell-invalid-period": {
        "zh": "{column} 的值“{value}”不是有效月份（应为 YYYY-MM）",
        "en": "{column}: {value!r} is not a valid period (expected YYYY-MM)",
    },
    "cell-invalid-int": {
        "zh": "{column} 的值“{value}”不是整数",
        "en": "{column}: {value!r} is not a whole number",
    },
    "cell-invalid-bool": {
        "zh": "{column} 的值“{value}”不是“是/否”",
        "en": "{column}: {value!r} is not yes/no (expected 是/否, true/false or 1/0)",
    },
    "cell-invalid-code": {
        "zh": "{column} 的值“{value}”不是有效代码（应为 {codes}）",
        "en": "{column}: {value!r} is not a valid code (expected one of {codes})",
    },
    "cell-invalid-id-number": {
        "zh": "{column} 的值“{value}”以数字格式保存，Excel 只保留 15 位有效数字，"
        "请将该列设为文本后重新填写",
        "en": "{column}: {value!r} was stored as a number and Excel keeps only 15 digits; "
        "format the column as text and enter it again",
    },
    "row-short": {
        "zh": "{file} 表头下第 {row} 行只有 {found} 个字段（表头有 {expected} 列），"
        "后面的单元格缺失，按空值处理",
        "en": "{file}: data row {row} has {found} fields but the header has {expected} "
        "columns; the missing cells are left empty",
    },
    "total-row-count": {
        "zh": "{file} 表尾第 {row} 行合计“{text}”写明 {stated} 条，但表中有 {rows} 条记录",
        "en": "{file}: the total row {row} ({text!r}) states {stated} but the table holds "
        "{rows} records",
    },
    "total-row-sum": {
        "zh": "{file} 表尾第 {row} 行合计的 {column} 为 {stated}，但各记录之和为 {sum}",
        "en": "{file}: the total row {row} gives {column} = {stated} but the records add up "
        "to {sum}",
    },
    # --- errors that stop the audit (exit 2): file, column, what was expected ------------------
    "error-not-found": {
        "zh": "{path}：不存在（应为一个乡镇一个月的提交文件夹）",
        "en": "{path}: not found (expected a submission folder: one township, one month)",
    },
    "error-not-folder": {
        "zh": "{path}：不是文件夹（应为包含 women.csv 等九张表的提交文件夹）",
        "en": "{path}: not a folder (expected a submission folder holding women.csv and the "
        "other tables)",
    },
    "error-not-submission": {
        "zh": "{path}：不是提交文件夹，九张表一张也没有，也没有 manifest.json"
        "（应有 {tables} 的 .csv、.xlsx 或 .parquet 文件）",
        "en": "{path}: not a submission, none of the nine tables and no manifest.json "
        "(expected .csv, .xlsx or .parquet files named {tables})",
    },
    "error-two-files": {
        "zh": "{files}：{table} 表有多个文件，请只保留一个",
        "en": "{files}: more than one file for table {table}; keep exactly one",
    },
    "error-no-key-column": {
        "zh": "{file}：没有 {column} 列（主键，应有表头 {expected}）",
        "en": "{file}: no column for {column} (the primary key; expected a header {expected})",
    },
    "error-unreadable": {
        "zh": "{file}：无法读取（{detail}）",
        "en": "{file}: cannot be read ({detail})",
    },
    "error-duplicate-column": {
        "zh": "{file}：表头 {headers} 都对应 {column} 列，请只保留一个",
        "en": "{file}: the headers {headers} all give column {column}; keep exactly one",
    },
    "error-empty-file": {
        "zh": "{file}：文件为空（第一行应为表头）",
        "en": "{file}: the file is empty (expected a header row first)",
    },
    "error-undecodable": {
        "zh": "{file}：第 {line} 行无法按 UTF-8 或 GB18030 编码读取（应为 UTF-8、带 BOM 的 "
        "UTF-8 或 GB18030/GBK 文本）",
        "en": "{file}: line {line} cannot be decoded as UTF-8 or GB18030 (expected UTF-8, "
        "UTF-8 with BOM or GB18030/GBK text)",
    },
    "error-binary-csv": {
        "zh": "{file}：不是 CSV 文本文件（{what}），请另存为 CSV UTF-8 或改用 .xlsx 扩展名",
        "en": "{file}: not a CSV text file ({what}); save it as CSV UTF-8, "
        "or name it .xlsx if it is a workbook",
    },
    "error-csv": {
        "zh": "{file}：无法按 CSV 读取（{detail}）",
        "en": "{file}: cannot be read as CSV ({detail})",
    },
    "error-undecodable-utf8": {
        "zh": "{file}：第 {line} 行不是 UTF-8 编码（此前各行都是 UTF-8，"
        "该行可能混入了 GBK/GB18030 文字，或文件在多字节字符中间被截断）",
        "en": "{file}: line {line} is not UTF-8 although the lines before it are (text pasted "
        "in GBK/GB18030, or the file was cut inside a character)",
    },
    "error-csv-quote": {
        "zh": '{file}：第 {line} 行的引号 " 没有闭合，其后的内容无法按行读取',
        "en": '{file}: line {line} opens a quote (") that is never closed, '
        "so the rows after it cannot be read",
    },
    "error-csv-ragged": {
        "zh": "{file}：第 {line} 行有 {found} 个字段，表头只有 {expected} 列",
        "en": "{file}: line {line} has {found} fields but the header has {expected} columns",
    },
    "error-xlsx": {
        "zh": "{file}：无法按 Excel 工作簿读取（{detail}）",
        "en": "{file}: cannot be read as an Excel workbook ({detail})",
    },
    "error-nested-column": {
        "zh": "{file}：列 {header}（{column}）的类型是 {dtype}，每个单元格是一组值而不是单个值"
        "（应为文本、数字或日期列）",
        "en": "{file}: column {header} ({column}) has type {dtype}: each cell holds several "
        "values, not one (expected a text, number or date column)",
    },
    "error-parquet": {
        "zh": "{file}：无法按 Parquet 读取（{detail}）",
        "en": "{file}: cannot be read as Parquet ({detail})",
    },
    "error-villages-duplicate": {
        "zh": "{file}：第 {row} 行村代码 {code} 已在第 {first} 行出现（名称“{name}”与“{other}”），"
        "每个村只应有一行",
        "en": "{file}: data row {row} repeats village code {code} of row {first} "
        "({name!r} and {other!r}); one row per village",
    },
    "error-manifest-json": {
        "zh": "manifest.json：不是有效的 JSON（{detail}），应为 "
        '{{"period": "YYYY-MM", "township_code": "...", "township_name": "..."}}',
        "en": "manifest.json: not valid JSON ({detail}); expected "
        '{{"period": "YYYY-MM", "township_code": "...", "township_name": "..."}}',
    },
    "error-manifest-object": {
        "zh": "manifest.json：应为 JSON 对象 "
        '{{"period": "YYYY-MM", "township_code": "...", "township_name": "..."}}，实为 {found}',
        "en": "manifest.json: expected a JSON object "
        '{{"period": "YYYY-MM", "township_code": "...", "township_name": "..."}}, got {found}',
    },
    "error-manifest-type": {
        "zh": "manifest.json：{key} 应为文本，实为 {found}",
        "en": "manifest.json: {key} must be a string, got {found}",
    },
    "error-manifest-period": {
        "zh": "manifest.json：period 的值“{value}”不是有效月份"
        "（应为 1900-01 至 2999-12 之间的 YYYY-MM）",
        "en": "manifest.json: period {value!r} is not a valid period "
        "(expected YYYY-MM from 1900-01 to 2999-12)",
    },
    "error-manifest-township": {
        "zh": "manifest.json：township_code 的值“{value}”不是 12 位统计用区划代码",
        "en": "manifest.json: township_code {value!r} is not a 12-digit division code",
    },
}


def message(name: str, lang: str = "zh", /, **fields: object) -> str:
    """The template `name` in `lang` ("zh" or "en"; anything else falls back to zh), filled."""
    templates = CATALOGUE[name]
    return templates.get(lang, templates["zh"]).format(**fields)
