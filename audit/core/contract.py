"""The data contract (../shared/spec/data-contract.md) declared as data, in one place.

Every other module — the loader, the SQL schema, the sample generator, the
renderers — reads the nine tables, their columns, types, keys and code sets
from here. Township files use Chinese headers and Chinese code values; each
alias is one entry in a table below, so adding one is a one-line change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Ledger(StrEnum):
    """The four ledgers (四家) of a township."""

    STATISTICS = "statistics"  # 统计
    SUPPLY = "supply"  # 药具
    TECHNICAL = "technical"  # 节育技术
    FLOATING = "floating"  # 流动人口


LEDGER_NAMES_ZH: dict[Ledger, str] = {
    Ledger.STATISTICS: "统计",
    Ledger.SUPPLY: "药具",
    Ledger.TECHNICAL: "节育技术",
    Ledger.FLOATING: "流动人口",
}


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "int"
    DATE = "date"
    BOOL = "bool"
    CODE = "code"  # text restricted to a code set
    PERIOD = "period"  # YYYY-MM


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    codes: str | None = None  # name of the code set in CODE_SETS, for CODE columns
    required: bool = False  # counted in the completeness score (数据完整性)
    aliases: tuple[str, ...] = ()  # headers seen in township files


@dataclass(frozen=True)
class Table:
    name: str
    ledger: Ledger
    title_zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


T, N, D, B, C, P = (
    ColumnType.TEXT,
    ColumnType.INT,
    ColumnType.DATE,
    ColumnType.BOOL,
    ColumnType.CODE,
    ColumnType.PERIOD,
)

# --- code sets: canonical code -> accepted spellings (case-insensitive, trimmed) ---------------
CODE_SETS: dict[str, dict[str, tuple[str, ...]]] = {
    "marital_status": {
        "single": ("未婚",),
        "married": ("初婚", "已婚", "有配偶"),
        "remarried": ("再婚", "复婚"),
        "divorced": ("离婚", "离异"),
        "widowed": ("丧偶",),
    },
    "residence": {
        "resident": ("常住", "户籍常住", "在家"),
        "out": ("流出", "外出"),
        "in": ("流入", "外来"),
    },
    "method": {
        "iud": ("上环", "放环", "宫内节育器", "节育环"),
        "tubal_ligation": ("女扎", "输卵管结扎", "女性绝育"),
        "vasectomy": ("男扎", "输精管结扎", "男性绝育"),
        "implant": ("皮埋", "皮下埋植"),
        "oral_pill": ("口服药", "口服避孕药", "避孕药"),
        "injection": ("注射", "避孕针", "注射避孕针"),
        "condom": ("避孕套", "安全套"),
        "other": ("其他", "其它"),
        "none": ("未避孕", "无"),
    },
    "sex": {
        "M": ("男", "male", "1"),
        "F": ("女", "female", "2"),
    },
    "policy": {
        "in": ("政策内", "符合政策", "是"),
        "out": ("政策外", "不符合政策", "否"),
    },
    "delivery_place": {
        "hospital": ("医院", "住院分娩", "住院"),
        "home": ("家中", "在家", "家庭"),
        "other": ("其他", "其它"),
    },
    "level": {
        "township": ("乡镇", "乡", "镇"),
        "village": ("村", "村居", "居委会"),
        "group": ("组", "村民小组"),
    },
    "item": {
        "condom": ("避孕套", "安全套"),
        "oral_pill": ("口服药", "口服避孕药", "避孕药"),
        "injection": ("注射", "避孕针"),
        "emergency_pill": ("紧急避孕药",),
        "other": ("其他", "其它"),
    },
    "procedure": {
        "iud_insert": ("放环", "上环", "放置宫内节育器"),
        "iud_remove": ("取环", "取出宫内节育器"),
        "tubal_ligation": ("女扎", "输卵管结扎"),
        "vasectomy": ("男扎", "输精管结扎"),
        "implant_insert": ("皮埋", "皮下埋植", "放置皮埋"),
        "implant_remove": ("取皮埋", "取出皮埋"),
        "abortion": ("人工流产", "人流"),
        "induced_labor": ("引产", "中期引产"),
    },
    "direction": {
        "out": ("流出",),
        "in": ("流入",),
    },
}

# Booleans: canonical True/False -> accepted spellings.
BOOL_VALUES: dict[bool, tuple[str, ...]] = {
    True: ("true", "t", "yes", "y", "1", "是", "有", "√", "✓"),
    False: ("false", "f", "no", "n", "0", "否", "无", "×"),
}

LONG_ACTING_METHODS = ("iud", "tubal_ligation", "vasectomy", "implant")
SHORT_ACTING_METHODS = ("oral_pill", "injection", "condom")
STERILIZATION_METHODS = ("tubal_ligation", "vasectomy")

_REPORT_COUNTS = (
    "women_total",
    "married_women",
    "births_total",
    "births_order1",
    "births_order2",
    "births_order3plus",
    "births_male",
    "births_female",
    "births_out_of_policy",
    "users_iud",
    "users_tubal_ligation",
    "users_vasectomy",
    "users_implant",
    "users_oral_pill",
    "users_injection",
    "users_condom",
    "users_other",
    "out_migrant_women",
    "in_migrant_women",
    "proc_iud_insert",
    "proc_iud_remove",
    "proc_ligation",
    "proc_abortion",
)
REPORT_COUNT_COLUMNS: tuple[str, ...] = _REPORT_COUNTS

_REPORT_COUNT_ALIASES: dict[str, tuple[str, ...]] = {
    "women_total": ("育龄妇女数", "育龄妇女总数"),
    "married_women": ("已婚育龄妇女数",),
    "births_total": ("出生数", "出生人数", "出生合计"),
    "births_order1": ("一孩", "一孩出生数"),
    "births_order2": ("二孩", "二孩出生数"),
    "births_order3plus": ("多孩", "三孩及以上"),
    "births_male": ("男孩", "出生男"),
    "births_female": ("女孩", "出生女"),
    "births_out_of_policy": ("政策外出生",),
    "users_iud": ("上环人数",),
    "users_tubal_ligation": ("女扎人数",),
    "users_vasectomy": ("男扎人数",),
    "users_implant": ("皮埋人数",),
    "users_oral_pill": ("口服药人数",),
    "users_injection": ("注射人数",),
    "users_condom": ("避孕套人数",),
    "users_other": ("其他措施人数",),
    "out_migrant_women": ("流出育龄妇女",),
    "in_migrant_women": ("流入育龄妇女",),
    "proc_iud_insert": ("放环例数",),
    "proc_iud_remove": ("取环例数",),
    "proc_ligation": ("结扎例数",),
    "proc_abortion": ("人流引产例数",),
}

# Headers shared by several tables.
_PERSON_ID = ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码", "id_number")
_VILLAGE = ("村代码", "村居代码", "村编码", "村", "区划代码")
_GROUP = ("组", "组别", "村民小组", "组号")

TABLES: tuple[Table, ...] = (
    Table(
        "women",
        Ledger.STATISTICS,
        "育龄妇女花名册",
        ("person_id",),
        (
            Column("person_id", T, required=True, aliases=_PERSON_ID),
            Column("name", T, required=True, aliases=("姓名",)),
            Column("birth_date", D, required=True, aliases=("出生日期", "出生年月日")),
            Column("village_code", T, required=True, aliases=_VILLAGE),
            Column("group_no", N, required=True, aliases=_GROUP),
            Column("central_household", T, aliases=("中心户",)),
            Column(
                "marital_status",
                C,
                "marital_status",
                required=True,
                aliases=("婚姻状况", "婚姻状态"),
            ),
            Column("marriage_date", D, aliases=("结婚日期", "初婚日期", "婚姻变动日期")),
            Column("residence", C, "residence", required=True, aliases=("居住状态", "户籍状态")),
            Column("children", N, required=True, aliases=("现有子女数", "子女数")),
            Column(
                "method",
                C,
                "method",
                required=True,
                # 避孕措施 over 方法 / 日期 in two-row headers reads 避孕措施方法 / 避孕措施日期
                aliases=("避孕方法", "节育措施", "避孕措施", "避孕措施方法", "节育措施方法"),
            ),
            Column(
                "method_date",
                D,
                aliases=("措施日期", "落实措施日期", "避孕日期", "避孕措施日期", "节育措施日期"),
            ),
            Column("pregnant", B, aliases=("孕情", "是否怀孕", "怀孕")),
            Column("pregnancy_date", D, aliases=("孕情日期", "怀孕日期")),
        ),
    ),
    Table(
        "births",
        Ledger.STATISTICS,
        "出生登记",
        ("birth_id",),
        (
            Column("birth_id", T, required=True, aliases=("出生编号", "编号", "登记编号")),
            Column(
                "mother_id",
                T,
                required=True,
                aliases=("母亲身份证号", "母亲身份证号码", "母亲公民身份号码"),
            ),
            Column("child_name", T, required=True, aliases=("婴儿姓名", "子女姓名", "孩子姓名")),
            Column("child_sex", C, "sex", required=True, aliases=("婴儿性别", "性别")),
            Column("child_birth_date", D, required=True, aliases=("婴儿出生日期", "出生日期")),
            Column("birth_order", N, required=True, aliases=("孩次",)),
            Column("policy", C, "policy", required=True, aliases=("政策属性", "是否政策内")),
            Column("village_code", T, required=True, aliases=_VILLAGE),
            Column("group_no", N, aliases=_GROUP),
            Column("reported_date", D, required=True, aliases=("上报日期", "登记日期")),
            Column("delivery_place", C, "delivery_place", aliases=("分娩地点",)),
        ),
    ),
    Table(
        "stat_reports",
        Ledger.STATISTICS,
        "统计月报",
        ("period", "level", "unit_code"),
        (
            Column("period", P, required=True, aliases=("报告期", "期别", "月份")),
            Column("level", C, "level", required=True, aliases=("层级", "级别")),
            Column("unit_code", T, required=True, aliases=("单位代码", "单位编码")),
            *(
                Column(c, N, required=True, aliases=_REPORT_COUNT_ALIASES[c])
                for c in _REPORT_COUNTS
            ),
        ),
    ),
    Table(
        "supply_stock",
        Ledger.SUPPLY,
        "药具明细账",
        ("period", "point_code", "item"),
        (
            Column("period", P, required=True, aliases=("报告期", "月份")),
            Column("point_code", T, required=True, aliases=("发放点代码", "网点代码", "站点代码")),
            Column("item", C, "item", required=True, aliases=("药具名称", "品种")),
            Column("opening", N, required=True, aliases=("期初", "上期结存", "期初库存")),
            Column("received", N, required=True, aliases=("收入", "本期收入", "领入")),
            Column("issued", N, required=True, aliases=("发出", "本期发放", "发放")),
            Column("closing", N, required=True, aliases=("期末", "期末结存", "期末库存")),
        ),
    ),
    Table(
        "supply_issues",
        Ledger.SUPPLY,
        "药具发放登记",
        ("issue_id",),
        (
            Column("issue_id", T, required=True, aliases=("发放编号", "编号")),
            Column("person_id", T, required=True, aliases=_PERSON_ID),
            Column("village_code", T, required=True, aliases=_VILLAGE),
            Column("point_code", T, required=True, aliases=("发放点代码", "网点代码")),
            Column("item", C, "item", required=True, aliases=("药具名称", "品种")),
            Column("quantity", N, required=True, aliases=("数量", "发放数量")),
            Column("issue_date", D, required=True, aliases=("发放日期",)),
        ),
    ),
    Table(
        "procedures",
        Ledger.TECHNICAL,
        "四项手术登记",
        ("procedure_id",),
        (
            Column("procedure_id", T, required=True, aliases=("手术编号", "编号")),
            Column("person_id", T, required=True, aliases=(*_PERSON_ID, "受术者身份证号")),
            Column("procedure", C, "procedure", required=True, aliases=("手术名称", "手术类型")),
            Column("procedure_date", D, required=True, aliases=("手术日期",)),
            Column("postpartum", B, aliases=("产后", "是否产后")),
            Column("facility", T, aliases=("手术单位", "施术单位")),
            Column("village_code", T, required=True, aliases=_VILLAGE),
        ),
    ),
    Table(
        "checkups",
        Ledger.TECHNICAL,
        "三查登记",
        ("checkup_id",),
        (
            Column("checkup_id", T, required=True, aliases=("查验编号", "编号")),
            Column("person_id", T, required=True, aliases=_PERSON_ID),
            Column("checkup_date", D, required=True, aliases=("查验日期", "检查日期")),
            Column("iud_present", B, aliases=("查环", "环情")),
            Column("pregnant", B, required=True, aliases=("查孕", "孕情")),
            Column("illness", B, aliases=("查病", "病情")),
            Column("village_code", T, required=True, aliases=_VILLAGE),
        ),
    ),
    Table(
        "migrants",
        Ledger.FLOATING,
        "流动人口登记",
        ("migrant_id",),
        (
            Column("migrant_id", T, required=True, aliases=("流动编号", "编号")),
            Column("person_id", T, required=True, aliases=_PERSON_ID),
            Column("name", T, required=True, aliases=("姓名",)),
            Column("direction", C, "direction", required=True, aliases=("流向", "流动方向")),
            Column("village_code", T, required=True, aliases=_VILLAGE),
            Column("move_date", D, required=True, aliases=("流动日期", "流出日期", "流入日期")),
            Column("place", T, aliases=("流入地", "流出地", "地点")),
            Column("marital_status", C, "marital_status", aliases=("婚姻状况",)),
            Column("certificate_no", T, aliases=("婚育证明编号", "证明编号")),
            Column("certificate_expiry", D, aliases=("证明有效期", "有效期至")),
            Column("last_feedback_date", D, aliases=("最近反馈日期", "孕检反馈日期")),
            Column("return_date", D, aliases=("返回日期", "返乡日期")),
        ),
    ),
    Table(
        "migrant_births",
        Ledger.FLOATING,
        "流动人口出生通报",
        ("report_id",),
        (
            Column("report_id", T, required=True, aliases=("通报编号", "编号")),
            Column("mother_id", T, required=True, aliases=("母亲身份证号", "母亲身份证号码")),
            Column("child_sex", C, "sex", required=True, aliases=("婴儿性别", "性别")),
            Column("child_birth_date", D, required=True, aliases=("婴儿出生日期", "出生日期")),
            Column("reported_date", D, required=True, aliases=("通报日期", "上报日期")),
            Column("place", T, aliases=("出生地", "地点")),
        ),
    ),
)

# Optional: village names (村名表), so reports show "name (code)". Not one of the nine
# ledger tables: its absence is no finding, and columns beyond these two are kept as written.
VILLAGES = Table(
    "villages",
    Ledger.STATISTICS,
    "村名表",
    ("village_code",),
    (
        Column("village_code", T, required=True, aliases=(*_VILLAGE, "村居编码", "村编号")),
        Column("name", T, required=True, aliases=("村名", "村名称", "村居名称", "名称", "村委会")),
    ),
)

# Worksheet names a table goes by when one workbook holds several (besides its name and
# title_zh): how the offices label the sheets of their own workbooks.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "women": ("花名册", "育龄妇女", "育龄妇女名册"),
    "births": ("出生", "出生登记表", "出生人口登记"),
    "stat_reports": ("月报", "统计报表", "月报表"),
    "supply_stock": ("明细账", "药具库存", "药具账"),
    "supply_issues": ("药具发放", "发放登记"),
    "procedures": ("手术登记", "四项手术", "四术登记", "节育手术"),
    "checkups": ("三查", "三查情况"),
    "migrants": ("流动人口", "流动人口名册"),
    "migrant_births": ("出生通报", "流动人口出生"),
}

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]


def normalise_header(header: str) -> str:
    """Fold a header for matching: trim, lower-case, drop spaces, BOM and bracketed units."""
    h = header.replace("\ufeff", "").strip().lower()
    for opening, closing in (("(", ")"), ("（", "）")):
        if opening in h and h.endswith(closing):
            h = h[: h.index(opening)]
    return h.replace(" ", "").replace("_", "").replace("-", "")


def header_map(t: Table) -> dict[str, str]:
    """Folded header -> canonical column name, for one table (canonical names included)."""
    out: dict[str, str] = {}
    for c in t.columns:
        for alias in (c.name, *c.aliases):
            out.setdefault(normalise_header(alias), c.name)
    return out


def code_map(code_set: str) -> dict[str, str]:
    """Folded spelling -> canonical code, for one code set (canonical codes included)."""
    out: dict[str, str] = {}
    for code, spellings in CODE_SETS[code_set].items():
        for s in (code, *spellings):
            out.setdefault(s.strip().lower(), code)
    return out


def bool_map() -> dict[str, bool]:
    return {s.lower(): value for value, spellings in BOOL_VALUES.items() for s in spellings}
