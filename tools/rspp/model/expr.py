"""Conditions: the small, side-effect-free language of ``when`` fields.

Policy degrade and provider rules and router cases carry conditions such as
``session.cost_usd >= 1.2`` or ``transcript.language == "es" and not tenant.strict``.
Grammar (no function calls, no arithmetic, nothing is ever executed)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
    operand := name ("." name)* | number | string | "true" | "false" | "(" expr ")"

Names are looked up in a mapping of signals (a routing snapshot at turn open). A missing
name, or an ordering comparison between a number and a string, is an error, never false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeGuard, TypeVar, Union

import msgspec

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)
  | (?P<str>"[^"\\]*"|'[^'\\]*')
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<paren>[()])
  | (?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)
""", re.VERBOSE)
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
MAX_LENGTH = 500
MAX_DEPTH = 32


class ExprError(ValueError):
    """A condition that does not parse or cannot be evaluated; ``col`` is 1-based."""

    def __init__(self, message: str, col: int = 1) -> None:
        super().__init__(message)
        self.col = col


class Name(msgspec.Struct, frozen=True):
    path: str


class Literal(msgspec.Struct, frozen=True):
    value: float | int | str | bool


class Compare(msgspec.Struct, frozen=True):
    op: str
    left: Expr
    right: Expr


class BoolOp(msgspec.Struct, frozen=True):
    op: str  # "and" | "or"
    items: tuple[Expr, ...]


class Not(msgspec.Struct, frozen=True):
    item: Expr


Expr = Union[Name, Literal, Compare, BoolOp, Not]  # noqa: UP007 (a runtime alias)


class _Tok(msgspec.Struct, frozen=True):
    kind: str
    text: str
    col: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExprError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind == "name" and m.group() in _KEYWORDS:
            kind = m.group()
        if kind != "ws":
            out.append(_Tok(kind, m.group(), pos + 1))
        pos = m.end()
    out.append(_Tok("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("condition nests too deeply", self.peek().col)
        items = [self.conj()]
        while self.peek().kind == "or":
            self.take()
            items.append(self.conj())
        self.depth -= 1
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def conj(self) -> Expr:
        items = [self.neg()]
        while self.peek().kind == "and":
            self.take()
            items.append(self.neg())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def neg(self) -> Expr:
        if self.peek().kind == "not":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError("condition nests too deeply", self.peek().col)
            item = self.neg()
            self.depth -= 1
            return Not(item)
        left = self.operand()
        if self.peek().kind == "op":
            op = self.take().text
            return Compare(op, left, self.operand())
        return left

    def operand(self) -> Expr:
        tok = self.take()
        if tok.kind == "name":
            return Name(tok.text)
        if tok.kind == "num":
            return Literal(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "str":
            return Literal(tok.text[1:-1])
        if tok.kind in ("true", "false"):
            return Literal(tok.kind == "true")
        if tok.text == "(":
            inner = self.expr()
            close = self.take()
            if close.text != ")":
                raise ExprError("expected ')'", close.col)
            return inner
        found = "the end" if tok.kind == "end" else repr(tok.text)
        raise ExprError(f"expected a name, number, string or '(' but found {found}", tok.col)


def parse(text: str) -> Expr:
    """Parse a condition; raises ExprError with the column of the problem."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"condition is longer than {MAX_LENGTH} characters")
    parser = _Parser(text)
    tree = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise ExprError(f"unexpected {tok.text!r} after a complete condition", tok.col)
    return tree


def names(tree: Expr) -> set[str]:
    """Every signal name the condition reads."""
    if isinstance(tree, Name):
        return {tree.path}
    if isinstance(tree, Compare):
        return names(tree.left) | names(tree.right)
    if isinstance(tree, BoolOp):
        return set().union(*(names(t) for t in tree.items))
    if isinstance(tree, Not):
        return names(tree.item)
    return set()


def lookup(signals: Mapping[str, object], path: str) -> object:
    value: object = signals
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ExprError(f"signal {path!r} is not in the routing snapshot")
        value = value[part]
    return value


def evaluate(tree: Expr, signals: Mapping[str, object]) -> bool:
    """Evaluate to a bool; raises ExprError for missing signals or mixed-type ordering."""
    value = _value(tree, signals)
    if not isinstance(value, bool):
        raise ExprError(f"condition yields {value!r}, not true or false")
    return value


def _value(tree: Expr, signals: Mapping[str, object]) -> object:
    if isinstance(tree, Literal):
        return tree.value
    if isinstance(tree, Name):
        return lookup(signals, tree.path)
    if isinstance(tree, Not):
        return not evaluate(tree.item, signals)
    if isinstance(tree, BoolOp):
        results = (evaluate(t, signals) for t in tree.items)
        return any(results) if tree.op == "or" else all(results)
    left, right = _value(tree.left, signals), _value(tree.right, signals)
    if tree.op == "==":
        return _same(left, right)
    if tree.op == "!=":
        return not _same(left, right)
    if _number(left) and _number(right):
        return _order(tree.op, left, right)
    if isinstance(left, str) and isinstance(right, str):
        return _order(tree.op, left, right)
    raise ExprError(f"cannot order {left!r} and {right!r} with {tree.op}")


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_Ordered = TypeVar("_Ordered", float, str)


def _order(op: str, left: _Ordered, right: _Ordered) -> bool:
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _same(left: object, right: object) -> bool:
    # true == 1 is false here: a bool only equals a bool.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)
