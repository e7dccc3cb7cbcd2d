"""The mutation operators: small, single changes to the AST of chosen functions.

Each mutant changes one thing in one function: a comparison negated or moved across its
boundary, one operand dropped from an ``and``/``or`` (or the operator swapped), a ``not``
removed, a condition (``if``, ``while``, conditional expression, comprehension filter) forced
true or false or dropped, ``+``/``-`` swapped, an integer constant moved by one, a boolean
flipped, a returned value replaced by ``None``, a statement deleted (replaced by ``pass``), a
``with`` block run without its context manager, an exception type dropped from an ``except``
tuple, or a whole ``except`` clause deleted.

A mutant is named by its function, its operator and the source text before and after (not by
line number), so the names stay stable while the rest of the file moves.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_NEGATE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
    ast.LtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
}
_BODIES = ("body", "orelse", "finalbody")
Replace = Callable[[ast.AST], ast.AST | list[ast.stmt] | None]


@dataclass(frozen=True)
class Site:
    """One mutation: which node (by its index in the function's walk) and how to change it."""

    function: str
    index: int
    operator: str
    before: str
    after: str
    replace: Replace

    @property
    def label(self) -> str:
        return f"{self.function}: {self.operator}: `{self.before}` -> `{self.after}`"


def _short(node: ast.AST | list[ast.stmt]) -> str:
    if isinstance(node, list):
        text = "; ".join(ast.unparse(s) for s in node) or "pass"
    else:
        text = ast.unparse(node)
    first = text.splitlines()[0] if text else text
    return first if len(first) <= 90 and "\n" not in text else first[:87] + "..."


Located = tuple[ast.AST, ast.AST, str, int | None]


def _walk(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[Located]:
    """The function's body in pre-order: (node, parent, field, index in the field's list or
    None). Its signature (defaults, annotations) and decorators are left alone."""
    stack: list[Located] = []
    for i, stmt in reversed(list(enumerate(func.body))):
        stack.append((stmt, func, "body", i))
    while stack:
        current, parent, name, idx = stack.pop()
        yield current, parent, name, idx
        children: list[Located] = []
        for field, value in ast.iter_fields(current):
            if isinstance(value, ast.AST):
                children.append((value, current, field, None))
            elif isinstance(value, list):
                children += [(v, current, field, i) for i, v in enumerate(value)
                             if isinstance(v, ast.AST)]
        stack.extend(reversed(children))


def functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Top-level functions and methods of top-level classes, by ``name`` or ``Class.name``."""
    out: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    out[f"{node.name}.{item.name}"] = item
    return out


def _compare(node: ast.Compare) -> Iterator[Change]:
    for i, op in enumerate(node.ops):
        for name, table in (("negate comparison", _NEGATE), ("comparison boundary", _BOUNDARY)):
            new_op = table.get(type(op))
            if new_op is not None:
                mutant = copy.deepcopy(node)
                mutant.ops[i] = new_op()
                yield name, mutant, None


Change = tuple[str, ast.AST, ast.AST | None]  # operator, new node, what it drops (if a part)


def _boolop(node: ast.BoolOp) -> Iterator[Change]:
    word = "and" if isinstance(node.op, ast.And) else "or"
    for i, value in enumerate(node.values):
        rest = [v for j, v in enumerate(node.values) if j != i]
        yield (f"drop condition from {word}",
               copy.deepcopy(rest[0]) if len(rest) == 1
               else ast.BoolOp(op=copy.deepcopy(node.op), values=copy.deepcopy(rest)), value)
    swapped = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    yield "swap and/or", ast.BoolOp(op=swapped, values=copy.deepcopy(node.values)), None


def _expression(node: ast.AST, parent: ast.AST, field: str) -> Iterator[Change]:
    if isinstance(node, ast.Compare):
        yield from _compare(node)
    elif isinstance(node, ast.BoolOp):
        yield from _boolop(node)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "remove not", copy.deepcopy(node.operand), None
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        swapped = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield "swap +/-", ast.BinOp(left=copy.deepcopy(node.left), op=swapped,
                                    right=copy.deepcopy(node.right)), None
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield "flip boolean", ast.Constant(not node.value), None
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield "constant + 1", ast.Constant(node.value + 1), None
        if node.value > 0:
            yield "constant - 1", ast.Constant(node.value - 1), None
    if field == "test" and isinstance(parent, ast.If | ast.While | ast.IfExp):
        for value in (True, False):
            yield f"condition always {value}", ast.Constant(value), None


def _statement(node: ast.stmt, parent: ast.AST, field: str) -> Iterator[tuple[str, Replace]]:
    if isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return None", lambda n: ast.Return(value=ast.Constant(None))
    if field in _BODIES:  # a statement in a block (also an except clause's)
        docstring = (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str))
        if not docstring and not isinstance(node, ast.Pass | ast.Return):
            yield "delete statement", lambda n: ast.Pass()
    if isinstance(node, ast.With) and len(node.items) == 1:
        yield "without the context manager", lambda n: copy.deepcopy(n.body)  # type: ignore[attr-defined]


def _constant(new: ast.AST) -> Replace:
    return lambda _node: copy.deepcopy(new)


def sites(tree: ast.Module, chosen: list[str] | None) -> list[Site]:
    """Every mutation of the chosen functions (all of them when ``chosen`` is None)."""
    out: list[Site] = []
    funcs = functions(tree)
    names = chosen if chosen is not None else list(funcs)
    for name in names:
        if name not in funcs:
            raise KeyError(f"no function {name}")
        for index, (node, parent, field, _) in enumerate(_walk(funcs[name])):
            if isinstance(node, ast.expr):
                for op, new, part in _expression(node, parent, field):
                    before, after = (_short(part), "(dropped)") if part else (_short(node),
                                                                               _short(new))
                    out.append(Site(name, index, op, before, after, _constant(new)))
            if isinstance(node, ast.comprehension):
                for i, cond in enumerate(node.ifs):
                    def drop(n: ast.AST, i: int = i) -> ast.AST:
                        mutant = copy.deepcopy(n)
                        assert isinstance(mutant, ast.comprehension)
                        del mutant.ifs[i]
                        return mutant
                    out.append(Site(name, index, "drop filter", _short(cond), "(all)", drop))
            if isinstance(node, ast.stmt):
                for op, replace in _statement(node, parent, field):
                    new_stmt = replace(copy.deepcopy(node))
                    assert new_stmt is not None
                    out.append(Site(name, index, op, _short(node), _short(new_stmt), replace))
            if isinstance(node, ast.ExceptHandler):
                out += _handler_sites(name, index, node, parent)
    return out


def _handler_sites(name: str, index: int, node: ast.ExceptHandler,
                   parent: ast.AST) -> list[Site]:
    out: list[Site] = []
    if isinstance(node.type, ast.Tuple) and len(node.type.elts) > 1:
        for i, elt in enumerate(node.type.elts):
            def drop_type(n: ast.AST, i: int = i) -> ast.AST:
                mutant = copy.deepcopy(n)
                assert isinstance(mutant, ast.ExceptHandler) and isinstance(mutant.type, ast.Tuple)
                del mutant.type.elts[i]
                return mutant
            out.append(Site(name, index, "drop exception type", _short(elt), "(caught above "
                            "or not at all)", drop_type))
    if isinstance(parent, ast.Try) and len(parent.handlers) > 1:
        out.append(Site(name, index, "delete except clause",
                        f"except {_short(node.type) if node.type else ''}", "(none)",
                        lambda _n: None))
    return out


def apply(source: str, site: Site) -> str:
    """The module's source with ``site`` applied (unparsed: formatting and comments go)."""
    tree = ast.parse(source)
    func = functions(tree)[site.function]
    for index, (node, parent, field, idx) in enumerate(_walk(func)):
        if index != site.index:
            continue
        new = site.replace(node)
        current = getattr(parent, field)
        if idx is None:
            setattr(parent, field, new)
        elif new is None:
            del current[idx]
        elif isinstance(new, list):
            current[idx:idx + 1] = new
        else:
            current[idx] = new
        break
    else:
        raise LookupError(f"site {site.label} not found")
    return ast.unparse(ast.fix_missing_locations(tree))
