"""Word pools of a synthetic township: Chinese names, places, division codes.

Names are drawn with replacement and vectorised (index arrays gathered from
these pools), so a million names cost a few milliseconds. Surname weights
follow their rough frequency in Anhui so that 王/李/张 dominate as they do
in real registers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

# (surname, relative frequency)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.8), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1),
    ("黄", 2.3), ("赵", 2.2), ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5),
    ("马", 1.5), ("朱", 1.3), ("胡", 1.3), ("郭", 1.2), ("何", 1.2), ("高", 1.1),
    ("林", 1.1), ("罗", 0.9), ("郑", 0.9), ("梁", 0.8), ("谢", 0.8), ("宋", 0.7),
    ("唐", 0.7), ("许", 0.7), ("韩", 0.6), ("冯", 0.6), ("邓", 0.6), ("曹", 0.6),
    ("彭", 0.5), ("曾", 0.5), ("肖", 0.5), ("田", 0.5), ("董", 0.5), ("袁", 0.4),
    ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4), ("余", 0.4), ("杜", 0.4),
    ("叶", 0.4), ("程", 0.4), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.3), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("汪", 0.6),
    ("檀", 0.2), ("方", 0.3), ("江", 0.3), ("储", 0.2), ("查", 0.2), ("桂", 0.2),
)  # fmt: skip

WOMAN_GIVEN = (
    "秀英华玉兰芳梅丽娟敏静燕红霞艳凤琴云莉萍婷雪慧丹玲颖"
    "佳欣悦晶倩琳娜洁月蓉露瑶怡桂春秋菊翠珍淑爱美娇彩"
)
CHILD_GIVEN = (
    "子浩宇轩梓涵睿博文欣一诺若雨思可嘉俊明泽晨阳佳怡天逸辰宸涛鑫宁安乐瑞昊然琪萱彤悦蕊航沐"
)

TOWNSHIP_NAMES = (
    "杨桥镇",
    "罗岭镇",
    "五横乡",
    "白泽湖乡",
    "大龙山镇",
    "海口镇",
    "月山镇",
    "石牌镇",
)

# Village names (村名): first and second characters combined in a fixed order, so every
# village of a township (up to 999) gets a distinct name without drawing.
VILLAGE_FIRST = "桃杨柳石河张王李黄新清长白龙凤金双高大小东西南北上下"
VILLAGE_SECOND = "园庄湾岭桥塘圩冲畈集店岗湖坝铺墩"


def village_names(count: int) -> list[str]:
    """`count` distinct village names: 桃园村, 杨庄村, ... in a fixed order."""
    pairs = len(VILLAGE_FIRST) * len(VILLAGE_SECOND)
    out: list[str] = []
    for k in range(count):
        j = k % pairs
        first = VILLAGE_FIRST[j % len(VILLAGE_FIRST)]
        second = VILLAGE_SECOND[(j // len(VILLAGE_FIRST) + j) % len(VILLAGE_SECOND)]
        side = "" if k < pairs else "东西南北"[(k // pairs - 1) % 4]
        out.append(f"{first}{second}{side}村")
    return out


def officer_name(k: int) -> str:
    """A village statistics officer's name for the villages table (deterministic)."""
    surname = SURNAMES[(7 * k) % len(SURNAMES)][0]
    return surname + WOMAN_GIVEN[(3 * k) % len(WOMAN_GIVEN)] + WOMAN_GIVEN[(5 * k + 1) % 40]


# Where out-migrants go (流入地).
DESTINATIONS = (
    "浙江省杭州市", "浙江省宁波市", "江苏省苏州市", "江苏省南京市", "上海市浦东新区",
    "上海市闵行区", "广东省深圳市", "广东省东莞市", "北京市朝阳区", "福建省厦门市",
    "安徽省合肥市", "浙江省温州市",
)  # fmt: skip

# Where in-migrants come from (流出地) and the division code in their IDs.
ORIGINS: tuple[tuple[str, int], ...] = (
    ("河南省周口市商水县", 411623), ("安徽省阜阳市临泉县", 341221), ("四川省南充市营山县", 511322),
    ("江西省九江市修水县", 360424), ("湖北省黄冈市蕲春县", 421126), ("安徽省六安市霍邱县", 341522),
    ("贵州省毕节市大方县", 520521), ("安徽省安庆市太湖县", 340825), ("湖南省邵阳市邵东市", 430582),
)  # fmt: skip

FACILITIES = ("乡镇计生服务站", "县妇幼保健院", "县人民医院")
AWAY_FACILITY = "流入地计生服务站"


def _gather(pool: pl.Series, idx: np.ndarray) -> pl.Series:
    return pool.gather(pl.Series(idx.astype(np.uint32)))


def surnames(rng: np.random.Generator, n: int) -> pl.Series:
    names = pl.Series([s for s, _ in SURNAMES])
    w = np.array([f for _, f in SURNAMES])
    return _gather(names, rng.choice(len(SURNAMES), size=n, p=w / w.sum()))


def given_names(rng: np.random.Generator, n: int, chars: str) -> pl.Series:
    """One or two characters (two in three names have two)."""
    pool = pl.Series(list(chars))
    first = _gather(pool, rng.integers(0, len(chars), n))
    second = _gather(pool, rng.integers(0, len(chars), n))
    two = pl.Series(rng.random(n) < 0.67)
    return pl.select(
        pl.when(pl.lit(two)).then(pl.lit(first) + pl.lit(second)).otherwise(pl.lit(first))
    ).to_series()


def full_names(rng: np.random.Generator, n: int, chars: str) -> pl.Series:
    return (surnames(rng, n) + given_names(rng, n, chars)).alias("name")


def pick(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> pl.Series:
    return _gather(pl.Series(list(pool)), rng.integers(0, len(pool), n))
