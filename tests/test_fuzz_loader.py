"""Fuzzing the loader: random bytes and mutations of a valid CSV and XLSX never crash it.

Whatever the bytes, `load_submission` either loads the table (the audit then exits 0
or 1) or raises `AuditError` (exit 2): any other exception is a traceback a user would
see. Bounded: a fixed number of examples, derandomised so a failure reproduces, no
example database written into the repository.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.core.exitcodes import AuditError
from audit.io.loader import load_submission

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_CSV = (
    "身份证号,姓名,出生日期,村代码,组,婚姻状况,现有子女数,避孕方法,孕情\r\n"
    "110101199001010026,王芳,1990-01-01,340811101001,1,初婚,1,上环,否\r\n"
    '11010119900101008X,"李,娜",1990/1/1,340811101001,2,未婚,0,无,\r\n'
    "110101199001010042,张三,19900101,340811101002,3,再婚,2,皮埋,是\r\n"
).encode()


def _valid_xlsx() -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    sh = wb.add_worksheet()
    for r, line in enumerate(VALID_CSV.decode().splitlines()):
        for c, cell in enumerate(line.split(",")):
            sh.write_string(r, c, cell)
    sh.write_number(4, 0, 110101199001010000)  # an ID typed as a number
    sh.write_number(4, 4, 3.0)
    wb.close()
    return buf.getvalue()


VALID_XLSX = _valid_xlsx()


def _load(folder: Path, name: str, data: bytes) -> None:
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(data)
    try:
        sub = load_submission(folder, lang="en")
    except AuditError as e:
        assert str(e).strip() and "\n" not in str(e).strip()  # one line for the user
        return
    sub.con.close()


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "special"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif kind == "cut":
            del data[pos:]
        else:  # the characters CSV parsing turns on
            data[pos:pos] = draw(st.sampled_from([b'"', b",", b"\r", b"\n", b"\x00", b",,,,"]))
    return bytes(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_as_csv(folder: Path, data: bytes) -> None:
    _load(folder, "women.csv", data)


@FUZZ
@given(data=mutated(VALID_CSV))
def test_mutations_of_a_valid_csv(folder: Path, data: bytes) -> None:
    _load(folder, "women.csv", data)


@FUZZ
@given(data=mutated(VALID_XLSX))
def test_mutations_of_a_valid_xlsx(folder: Path, data: bytes) -> None:
    _load(folder, "women.xlsx", data)
