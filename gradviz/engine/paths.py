"""Path sums: one Jacobian entry as a sum over paths of products of partials.

Exercise 0 of the sheet: ``∂(f_i∘g)/∂x_j = ∇f_i(g(X)) · ∂g/∂x_j``; unrolled down to
scalars (:mod:`gradviz.engine.scalar`) this is

    ∂y/∂x = Σ_{paths π from x to y}  Π_{edges (u → v) on π}  ∂v/∂u,

every path through the scalar graph from the scalar ``x`` to the scalar ``y``
contributing the product of the local partials along it. :func:`path_sum` lists the
paths (up to a limit, optionally leaving out those through a zero partial, such as
a switched-off ReLU) and always returns the **full** sum, computed over every path
by forward accumulation: ``d(x) = 1``, ``d(v) = Σ_{edges u → v} (∂v/∂u)·d(u)``. On the
sheet's network ``∂f₁/∂p₂,₁`` has 3 paths: from ``z2₁`` straight into the division
``f₁ = e₁/s`` (``−1/2``) and through the shared normalising sum ``s`` (``1/4``), and
from ``z2₂`` through ``s`` (``−5/4``); they sum to ``−3/2``, the sheet's entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gradviz.engine.exact import format_scalar
from gradviz.engine.scalar import Key, ScalarGraph

MAX_PATHS = 10_000
"""How many paths :func:`path_sum` lists by default (the sum always covers all)."""

Edge = tuple[int, int, int]
"""A scalar edge as ``(source id, consumer id, input position in the consumer)``."""


@dataclass(frozen=True)
class Path:
    """One path: scalar ids from ``wrt`` to ``of``, the input position taken at each
    step (an op may use one scalar twice, as ``x + x`` does), the local partial on
    each edge and their product."""

    nodes: tuple[int, ...]
    positions: tuple[int, ...]
    partials: tuple[float, ...]
    product: float

    @property
    def edges(self) -> tuple[Edge, ...]:
        """The path's edges as ``(source, consumer, position)``."""
        return tuple(zip(self.nodes[:-1], self.nodes[1:], self.positions, strict=True))


@dataclass(frozen=True)
class PathSum:
    """``∂of/∂wrt`` as a sum over paths. ``total`` sums *all* ``count`` paths (it is
    the Jacobian entry); ``paths`` lists them in depth-first order, consumers by
    id, up to the limit; ``zero_count`` paths pass through a partial equal to 0;
    ``truncated`` says that ``paths`` lists fewer than ``count``."""

    of: int
    wrt: int
    paths: tuple[Path, ...]
    total: float
    count: int
    zero_count: int
    truncated: bool

    @property
    def listed_sum(self) -> float:
        """The sum of the listed paths' products (``total`` unless truncated by the
        limit; leaving out zero paths does not change it)."""
        return float(sum(p.product for p in self.paths))

    @property
    def edges(self) -> set[Edge]:
        """Every edge on a listed path: what a view highlights."""
        return {e for p in self.paths for e in p.edges}

    @property
    def nodes(self) -> set[int]:
        """Every scalar on a listed path."""
        return {n for p in self.paths for n in p.nodes}

    def describe(self, graph: ScalarGraph, unicode_minus: bool = False) -> list[str]:
        """Readable lines: the entry, one line per listed path (names, partials,
        product), and the sum, numbers in exact form (``−3/2``)."""

        def num(x: float) -> str:
            text = format_scalar(x, unicode_minus=unicode_minus)
            return f"({text})" if text.startswith(("-", "−")) else text

        of, wrt = graph.nodes[self.of].name, graph.nodes[self.wrt].name
        lines = [f"∂{of}/∂{wrt}: {self.count} path{'s' if self.count != 1 else ''}"]
        for p in self.paths:
            names = " → ".join(graph.nodes[i].name for i in p.nodes)
            factors = " × ".join(num(x) for x in p.partials) or "1"
            lines.append(f"{names}: {factors} = {num(p.product)}")
        if self.truncated:
            lines.append(f"… {self.count - len(self.paths)} more path(s) not listed")
        lines.append(f"sum = {format_scalar(self.total, unicode_minus=unicode_minus)}")
        return lines


def _scalar_id(graph: ScalarGraph, ref: int | Key | tuple[str, int | Sequence[int]]) -> int:
    """A scalar given by id or by ``(tensor id, entry)``."""
    if isinstance(ref, int):
        if not 0 <= ref < len(graph):
            raise KeyError(f"no scalar with id {ref} (the graph has {len(graph)})")
        return ref
    tensor, entry = ref
    return graph.id_of(tensor, entry)


def path_sum(
    graph: ScalarGraph,
    of: int | Key | tuple[str, int | Sequence[int]],
    wrt: int | Key | tuple[str, int | Sequence[int]],
    *,
    max_paths: int = MAX_PATHS,
    prune_zero: bool = False,
) -> PathSum:
    """``∂of/∂wrt`` (scalars by id or ``(tensor id, entry)``, entries 0-based) as a
    sum over every path from ``wrt`` to ``of``. ``max_paths`` bounds the listed
    paths; ``prune_zero`` leaves out paths through a zero partial. ``total`` and
    ``count`` always cover every path."""
    target, source = _scalar_id(graph, of), _scalar_id(graph, wrt)
    # scalars that reach `target` without going below `source` (ids are topological)
    useful = {target}
    stack = [target]
    while stack:
        for e in graph.nodes[stack.pop()].inputs:
            if e.source >= source and e.source not in useful:
                useful.add(e.source)
                stack.append(e.source)
    if source not in useful:
        return PathSum(target, source, (), 0.0, 0, 0, False)

    deriv = {source: 1.0}  # d(v) = ∂v/∂source over every path
    count = {source: 1}
    nonzero = {source: 1}
    for v in range(source + 1, target + 1):
        if v not in useful:
            continue
        d, c, nz, reached = 0.0, 0, 0, False
        for e in graph.nodes[v].inputs:
            if e.source in deriv:
                reached = True
                d += e.partial * deriv[e.source]
                c += count[e.source]
                nz += nonzero[e.source] if e.partial != 0.0 else 0
        if reached:
            deriv[v], count[v], nonzero[v] = d, c, nz

    paths = _enumerate(graph, source, target, useful, max_paths, prune_zero)
    listable = nonzero[target] if prune_zero else count[target]
    return PathSum(
        target,
        source,
        tuple(paths),
        float(deriv[target]),
        count[target],
        count[target] - nonzero[target],
        len(paths) < listable,
    )


def _enumerate(
    graph: ScalarGraph, source: int, target: int, useful: set[int], max_paths: int, prune_zero: bool
) -> list[Path]:
    """Depth-first, consumers in id order, at most ``max_paths`` paths."""
    paths: list[Path] = []
    # (node, nodes so far, positions, partials, product)
    stack: list[tuple[int, tuple[int, ...], tuple[int, ...], tuple[float, ...], float]] = [
        (source, (source,), (), (), 1.0)
    ]
    while stack and len(paths) < max_paths:
        v, nodes, positions, partials, product = stack.pop()
        if v == target:
            paths.append(Path(nodes, positions, partials, product))
            continue
        steps = []
        for c, pos in graph.consumers(v):
            if c not in useful:
                continue
            partial = graph.nodes[c].inputs[pos].partial
            if prune_zero and partial == 0.0:
                continue
            steps.append(
                (c, nodes + (c,), positions + (pos,), partials + (partial,), product * partial)
            )
        stack.extend(reversed(steps))
    return paths


def jacobian_entry(
    graph: ScalarGraph,
    row: int,
    column: int,
    *,
    max_paths: int = MAX_PATHS,
    prune_zero: bool = False,
) -> PathSum:
    """The path sum of ``J_f(Θ)[row, column]``: output entry ``row`` (row-major)
    with respect to ``θ_column`` (Θ's order). Options as for :func:`path_sum`."""
    if not graph.output_ids:
        raise KeyError("the network has no output, so it has no Jacobian")
    if not 0 <= row < len(graph.output_ids):
        raise KeyError(f"row {row} is out of range (the output has {len(graph.output_ids)})")
    if not 0 <= column < len(graph.theta_ids):
        raise KeyError(f"column {column} is out of range (Θ has {len(graph.theta_ids)})")
    return path_sum(
        graph,
        graph.output_ids[row],
        graph.theta_ids[column],
        max_paths=max_paths,
        prune_zero=prune_zero,
    )
