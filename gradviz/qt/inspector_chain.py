"""The inspector's sections from a node towards the output and the loss.

For a node ``g`` before the output ``f``:

* ``∂f/∂g`` (``(m, g.size)``), the Jacobian of the output w.r.t. it — for a
  parameter these are its columns of ``J_fE(Θ)``, headed ``∂f/∂p₁,₁`` …, and a
  click on an entry shows that entry as a sum over paths;
* the chain rule ``J_{f∘g}(X) = J_f(g(X)) × J_g(X)`` along the shortest path from
  ``g`` to ``f``: the local Jacobians ``∂z_k/∂z_{k−1}`` and their product (which is
  ``∂f/∂g`` when there is one path, one term of it otherwise);
* ``∂l/∂g``, the gradient of the loss w.r.t. it (in ``g``'s shape).
"""

from __future__ import annotations

from gradviz.engine.evaluate import Evaluation
from gradviz.qt.inspector_maths import (
    chain_product,
    downstream_kink_note,
    kink_cells,
    local_between,
    numeric_downstream_jacobian,
    too_big,
)
from gradviz.qt.inspector_page import InspectorPage, Updater
from gradviz.qt.matrix_block import MAX_ROWS
from gradviz.qt.sheet_notation import function_symbol

#: Paths longer than this are not searched for the chain rule.
MAX_PATH = 64


def _sub(text: str) -> str:
    return f"<sub>{text}</sub>"


def add_chain_sections(page: InspectorPage, nid: str) -> None:
    """``∂f/∂nid`` with the chain rule, ``∂l/∂nid``, or the note that ``nid`` is ``f``."""
    import networkx as nx

    net, graph = page.doc.network, page.graph
    assert graph is not None
    output, loss = net.output, net.loss
    if output is not None and output != nid and nx.has_path(graph, nid, output):
        _add_output_jacobian(page, nid, output)
        _add_chain_rule(page, nid, output)
    if loss is not None and loss != nid and nx.has_path(graph, nid, loss):
        page.section(f"Gradient of the loss: ∂{loss}/∂{nid}")
        page.block(
            "gradient",
            page.gradient_title(nid, loss),
            page.gradient_updater(nid, loss),
            vector_as="row",
        )
    if output == nid:
        page.section("The network output")
        page.label(
            f"{nid} is f itself: ∂{nid}/∂{nid} = I. Select a node before "
            "it to see the chain rule at work.",
            dim=True,
        )


def _add_output_jacobian(page: InspectorPage, nid: str, output: str) -> None:
    """``∂f/∂nid``; for a parameter, where its columns sit in ``J_fE(Θ)``."""
    param = page.doc.network.node(nid).op == "param"
    ev = page.doc.evaluation
    cols = page.doc.network.theta_span(nid)
    if param:
        span = f"columns {cols[0] + 1}–{cols[-1] + 1} " if cols else ""
        page.section(f"Its {span}of J{_sub(output + _sub('E'))}(Θ)")
        title = (
            f"∂{output}/∂{nid}: the sheet's ∂{output}/∂{nid.lower()}"
            f"{_sub('i,j')}, one column per entry"
        )
    else:
        page.section(f"Jacobian of the output: ∂{output}/∂{nid}")
        title = (
            f"∂{output}/∂{nid}, a {ev.values[output].size} × {ev.values[nid].size} matrix: "
            f"row i is ∇{_sub(nid)}{output}[i]"
        )
    block = page.block("output", title, _output_updater(page, nid, output, param))
    if param and cols:  # an entry of ∂f/∂P is an entry of J_fE(Θ): the scalar view's paths
        first = cols[0]
        block.analytic.cellClicked.connect(lambda r, c: page.entryClicked.emit(r, first + c))


def _output_updater(page: InspectorPage, nid: str, output: str, param: bool) -> Updater:
    def update(ev: Evaluation, fd: bool = True) -> None:
        block = page.blocks["output"]
        cols = page.labels(nid)
        if param:
            cols = [f"∂{output}/∂{c}" for c in cols]
        assert page.graph is not None
        block.set_data(
            ev.output_jacobians[nid],
            row_labels=page.labels(output, limit=MAX_ROWS),
            col_labels=cols,
            note=downstream_kink_note(ev, page.graph, nid, page.options),
        )
        if page.wants_fd(fd):
            page.estimate(
                block,
                ev.values[nid].size,
                lambda: numeric_downstream_jacobian(ev, output, nid),
                bool(ev.nondifferentiable),
            )

    return update


def _add_chain_rule(page: InspectorPage, nid: str, output: str) -> None:
    """The local Jacobians along the shortest path from ``nid`` to ``output``, then
    their product."""
    import networkx as nx

    net = page.doc.network
    paths = sorted(nx.all_simple_paths(page.graph, nid, output, cutoff=MAX_PATH), key=len)
    path = paths[0]
    page.section("Chain rule")
    page.label(
        "J<sub>f∘g</sub>(X) = J<sub>f</sub>(g(X)) × J<sub>g</sub>(X), "
        "applied along " + " → ".join(path) + ":",
        size=10,
    )
    for k in range(len(path) - 1, 0, -1):
        of, wrt = path[k], path[k - 1]
        sym = function_symbol(net.node(of).op)
        title = ("" if k == len(path) - 1 else "× ") + f"∂{of}/∂{wrt}"
        if sym:
            title += f" = J{_sub(sym)}({wrt})"
        key = f"chain:{len(path) - 1 - k}"
        page.block(key, title, _factor_updater(page, key, of, wrt), with_fd=False)
    page.block(
        "chain:product",
        f"= ∂{output}/∂{nid}, the product",
        _product_updater(page, path),
        with_fd=False,
    )
    if len(paths) > 1:
        page.label(
            f"{len(paths)} paths lead from {nid} to {output}; the chain "
            "rule adds one such product per path, and ∂f/∂" + nid + " above is their sum.",
            dim=True,
        )


def _factor_updater(page: InspectorPage, key: str, of: str, wrt: str) -> Updater:
    def update(ev: Evaluation, fd: bool = True) -> None:
        block = page.blocks[key]
        big = too_big(ev, of, wrt)
        if big:
            block.set_summary(big)
            return
        cells, note = kink_cells(ev, of, page.options)
        block.set_data(
            local_between(page.doc.network, ev, of, wrt),
            row_labels=page.labels(of, limit=MAX_ROWS),
            col_labels=page.labels(wrt),
            marked=cells,
            note=note,
        )

    return update


def _product_updater(page: InspectorPage, path: list[str]) -> Updater:
    def update(ev: Evaluation, fd: bool = True) -> None:
        page.blocks["chain:product"].set_data(
            chain_product(ev, path),
            row_labels=page.labels(path[-1], limit=MAX_ROWS),
            col_labels=page.labels(path[0]),
        )

    return update
