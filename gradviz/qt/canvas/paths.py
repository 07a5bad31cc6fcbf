"""Which parts of the network a highlighted parameter entry touches.

Θ numbers every parameter entry of the network in file order (see
:attr:`Network.param_ids`); highlighting entry ``k`` lights that entry on its
node and every edge on a path from its parameter to the output or the loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from gradviz.model.network import Network


def reach(start: Iterable[str], graph: Mapping[str, Sequence[str]]) -> set[str]:
    """Every node reachable from ``start`` (included) along ``graph``'s edges."""
    seen = set(start)
    stack = list(seen)
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def on_path(
    net: Network,
    target: tuple[str, tuple[int, ...]] | None,
    succ: Mapping[str, Sequence[str]],
    pred: Mapping[str, Sequence[str]],
) -> Callable[[str, str], bool]:
    """The test ``on_path(src, dst)``: whether the edge ``src → dst`` lies on a
    path from the parameter of ``target`` (see :meth:`Network.theta_entry`) to the output
    or the loss; never without a target. ``succ`` / ``pred``: every node's
    consumers / inputs."""
    if target is None:
        return lambda src, dst: False
    ends = [x for x in (net.output, net.loss) if x is not None]
    down, up = reach([target[0]], succ), reach(ends, pred)
    return lambda src, dst: src in down and dst in down and dst in up
