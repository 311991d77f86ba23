"""A small, safe evaluator for transition expressions over captured fields.

"budget >= 1000 and decision_maker == true" — names are fields (a missing field is null),
literals are numbers, strings, true/false/null and lists; operators are and/or/not,
comparisons (== != < <= > >= in, not in), + - * / and parentheses. Nothing else is
accepted: no calls, attributes or subscripts, so a definition cannot run code (never eval).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any


class ExpressionError(ValueError):
    pass


_CONSTANTS = {
    "true": True,
    "false": False,
    "null": None,
    "True": True,
    "False": False,
    "None": None,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.BinOp,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    *_COMPARE,
    *_ARITHMETIC,
)


def compile_expression(text: str) -> ast.Expression:
    """Parse and check an expression; raises ExpressionError with a short reason."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"{type(node).__name__.lower()} is not allowed in an expression")
    return tree


def evaluate(text: str, fields: Mapping[str, Any]) -> bool:
    """True when the expression holds; a comparison that cannot be made (a missing field,
    a number against text) is false rather than an error in the middle of a call."""
    try:
        return bool(_value(compile_expression(text).body, fields))
    except (TypeError, ZeroDivisionError, ExpressionError):
        return False


def _value(node: ast.AST, fields: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _CONSTANTS[node.id] if node.id in _CONSTANTS else fields.get(node.id)
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(item, fields) for item in node.elts]
    if isinstance(node, ast.BoolOp):
        values = (_value(v, fields) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, fields)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BinOp):
        return _ARITHMETIC[type(node.op)](_value(node.left, fields), _value(node.right, fields))
    if isinstance(node, ast.Compare):
        return _compare(node, fields)
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def _compare(node: ast.Compare, fields: Mapping[str, Any]) -> bool:
    left = _value(node.left, fields)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _value(right_node, fields)
        if (left is None or right is None) and not isinstance(op, ast.Eq | ast.NotEq):
            return False
        if not _COMPARE[type(op)](left, right):
            return False
        left = right
    return True


def field_names(text: str) -> set[str]:
    """The fields an expression reads (for validating references)."""
    tree = compile_expression(text)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _CONSTANTS}
