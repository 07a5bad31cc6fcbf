"""A layered left-to-right layout.

Every op sits one column right of its right-most input
(``column(v) = 1 + max column(inputs)``); every leaf (``input``, ``param``) sits
one column left of its first consumer, so ``Q`` stands just before ``Q×·`` as on
the sheet. Within a column nodes are ordered by the mean row of their inputs
(then file order) and centred vertically.
"""

from __future__ import annotations

from gradviz.model.network import Network

COLUMN_SPACING = 310.0
ROW_SPACING = 250.0


def _users(net: Network) -> dict[str, list[str]]:
    """Consumers of every node, in file order (one pass, so layouts stay linear)."""
    users: dict[str, list[str]] = {n.id: [] for n in net.nodes}
    for n in net.nodes:
        for src in dict.fromkeys(n.inputs):
            users[src].append(n.id)
    return users


def layered_columns(net: Network, order: list[str] | None = None) -> dict[str, int]:
    """Column of every node (0 at the left)."""
    order = net.topological_order() if order is None else order
    inputs = {n.id: n.inputs for n in net.nodes}
    users = _users(net)
    column: dict[str, int] = {}
    for nid in order:
        column[nid] = 1 + max((column[s] for s in inputs[nid]), default=-1)
    for nid in reversed(order):
        if not inputs[nid] and users[nid]:
            column[nid] = max(0, min(column[u] for u in users[nid]) - 1)
    # ops computed from leaves only may now sit left of nothing; keep them right of inputs
    for nid in order:
        if inputs[nid]:
            column[nid] = max(column[nid], 1 + max(column[s] for s in inputs[nid]))
    return column


def layered_layout(net: Network) -> dict[str, tuple[float, float]]:
    """Centre of every node in scene units (x to the right, y down)."""
    order = net.topological_order()
    column = layered_columns(net, order)
    file_pos = {n.id: i for i, n in enumerate(net.nodes)}
    inputs = {n.id: n.inputs for n in net.nodes}
    rows: dict[str, float] = {}
    by_column: dict[int, list[str]] = {}
    for nid in order:
        by_column.setdefault(column[nid], []).append(nid)
    positions: dict[str, tuple[float, float]] = {}
    for col in sorted(by_column):
        ids = by_column[col]

        def key(nid: str) -> tuple[float, int]:
            srcs = [rows[s] for s in inputs[nid] if s in rows]
            mean = sum(srcs) / len(srcs) if srcs else float(file_pos[nid])
            return (mean, file_pos[nid])

        ids.sort(key=key)
        top = -(len(ids) - 1) / 2.0
        for k, nid in enumerate(ids):
            rows[nid] = top + k
            positions[nid] = (col * COLUMN_SPACING, (top + k) * ROW_SPACING)
    return positions


def positions(net: Network) -> dict[str, tuple[float, float]]:
    """Saved positions where the file has them, the layered layout elsewhere."""
    auto = layered_layout(net)
    return {n.id: n.pos if n.pos is not None else auto[n.id] for n in net.nodes}
