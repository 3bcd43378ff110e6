"""The model's comparison levels, evaluated in Python for real-time scoring.

Real time does not re-state the levels: it compiles the very SQL conditions saved in
the model file (the ones Splink runs in batch) into Python closures, with sqlglot's
parser. Only the small SQL subset comparisons.py uses is supported; anything else
fails loudly at load time. tests/linkage/engine/test_realtime_matches_splink.py checks
that these closures give Splink's comparison vectors and probabilities on generated
pairs. Why not Splink's own real-time functions: DuckDB plans the scoring SQL on every
call, about 30-50 ms here for one record, against a budget of 20 ms (docs/linkage.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sqlglot
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein
from sqlglot import expressions as exp

Row = dict[str, Any]  # the pair: "<column>_l" and "<column>_r" values
Fn = Callable[[Row], Any]


class UnsupportedSql(ValueError):
    pass


def _strict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SQL semantics: NULL in, NULL out."""

    def call(*args: Any) -> Any:
        return None if any(a is None for a in args) else fn(*args)

    return call


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "damerau_levenshtein": _strict(lambda a, b: DamerauLevenshtein.distance(a, b)),
    "levenshtein": _strict(lambda a, b: Levenshtein.distance(a, b)),
}

_COMPARE = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _compile(node: exp.Expression) -> Fn:  # noqa: C901 - one case per node type
    if isinstance(node, exp.Paren):
        return _compile(node.this)
    if isinstance(node, exp.Column):
        name = node.name
        return lambda row: row.get(name)
    if isinstance(node, exp.Literal):
        value: Any = node.this if node.is_string else float(node.this)
        if not node.is_string and value.is_integer():
            value = int(value)
        return lambda row: value
    if isinstance(node, exp.Null):
        return lambda row: None
    if isinstance(node, exp.Boolean):
        flag = bool(node.this)
        return lambda row: flag
    if isinstance(node, exp.Coalesce):
        options = [_compile(node.this), *(_compile(e) for e in node.expressions)]
        return lambda row: next((v for o in options if (v := o(row)) is not None), None)
    if isinstance(node, exp.And | exp.Or):
        left, right = _compile(node.this), _compile(node.expression)
        if isinstance(node, exp.And):
            return lambda row: _and(left(row), right(row))
        return lambda row: _or(left(row), right(row))
    if isinstance(node, exp.Not):
        inner = _compile(node.this)
        return lambda row: None if (v := inner(row)) is None else not v
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        inner = _compile(node.this)
        return lambda row: inner(row) is None
    if type(node) in _COMPARE:
        op = _strict(_COMPARE[type(node)])
        left, right = _compile(node.this), _compile(node.expression)
        return lambda row: op(left(row), right(row))
    if isinstance(node, exp.Sub):
        sub = _strict(lambda a, b: a - b)
        left, right = _compile(node.this), _compile(node.expression)
        return lambda row: sub(left(row), right(row))
    if isinstance(node, exp.Length):
        inner = _compile(node.this)
        return lambda row: None if (v := inner(row)) is None else len(v)
    if isinstance(node, exp.Least):
        options = [_compile(node.this), *(_compile(e) for e in node.expressions)]
        # DuckDB's and Spark's least() skip NULLs.
        return lambda row: min((v for o in options if (v := o(row)) is not None), default=None)
    if isinstance(node, exp.Abs):
        inner = _compile(node.this)
        return lambda row: None if (v := inner(row)) is None else abs(v)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.INT):
        inner = _compile(node.this)
        return lambda row: _int(inner(row))
    if isinstance(node, exp.Substring):
        text, start = _compile(node.this), _compile(node.args["start"])
        length = _compile(node.args["length"])
        substr = _strict(lambda s, i, n: s[i - 1 : i - 1 + n])
        return lambda row: substr(text(row), start(row), length(row))
    if isinstance(node, exp.StrPosition):
        text, part = _compile(node.this), _compile(node.args["substr"])
        instr = _strict(lambda s, p: s.find(p) + 1)
        return lambda row: instr(text(row), part(row))
    if isinstance(node, exp.Concat):
        parts = [_compile(e) for e in node.expressions]
        return lambda row: "".join(str(v) for p in parts if (v := p(row)) is not None)
    if isinstance(node, exp.Levenshtein):
        fn = _FUNCTIONS["levenshtein"]
        left, right = _compile(node.this), _compile(node.expression)
        return lambda row: fn(left(row), right(row))
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        fn = _FUNCTIONS[node.name.lower()]
        args = [_compile(e) for e in node.expressions]
        return lambda row: fn(*(a(row) for a in args))
    raise UnsupportedSql(f"real-time scoring cannot evaluate {node.sql()!r}")


def _and(a: Any, b: Any) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return bool(a and b)


def _or(a: Any, b: Any) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return bool(a or b)


def compile_condition(sql: str) -> Fn:
    if sql.strip().upper() == "ELSE":
        return lambda row: True
    return _compile(sqlglot.parse_one(sql, read="duckdb"))


class CompiledComparison:
    """One comparison: its levels in order, as (comparison vector value, test, label,
    log2 Bayes factor), the first true test winning, as in Splink's CASE WHEN."""

    def __init__(self, comparison: dict[str, Any]):
        self.column = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        self.levels: list[tuple[int, Fn, str, float]] = []
        value = len(non_null) - 1
        for level in levels:
            test = compile_condition(level["sql_condition"])
            if level.get("is_null_level"):
                self.levels.append((-1, test, "Not recorded", 0.0))
                continue
            self.levels.append((value, test, level["label_for_charts"], _log2_bf(level)))
            value -= 1

    def evaluate(self, row: Row) -> tuple[int, str, float]:
        for value, test, label, weight in self.levels:
            if test(row):
                return value, label, weight
        return self.levels[-1][0], self.levels[-1][2], self.levels[-1][3]


def _log2_bf(level: dict[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    if m is None or u is None:
        return 0.0
    return math.log2(max(m, 1e-300) / max(u, 1e-300))
