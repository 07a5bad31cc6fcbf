"""``gradviz report MODEL [--json]``: what the sheet computes, in exact fractions."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np

from gradviz.commands.common import add_model_argument, load_model, positive_int
from gradviz.engine.evaluate import Evaluation
from gradviz.engine.exact import format_array, format_scalar
from gradviz.model.network import Network

HELP = "print every node's value, J_f(Θ), the loss and ∇l(Θ) in exact fractions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    parser.add_argument(
        "--decimals",
        type=positive_int,
        metavar="DIGITS",
        default=None,
        help="decimals with DIGITS significant digits instead of fractions",
    )


def run(args: argparse.Namespace) -> int:
    net = load_model(args)
    ev = net.evaluate()
    if args.json:
        json.dump(report_dict(net, ev), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        exact = args.decimals is None
        sys.stdout.write(report_text(net, ev, exact=exact, digits=args.decimals or 4))
    return 0


def _plain(a: Any) -> Any:
    """Nested lists of floats with NaN and infinities as null (JSON has neither)."""
    if a is None:
        return None
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        v = float(arr) + 0.0  # + 0.0 turns -0.0 into 0.0: JSON readers should not see "-0.0"
        return v if math.isfinite(v) else None
    return [_plain(x) for x in arr]


def report_dict(net: Network, ev: Evaluation) -> dict[str, Any]:
    """The ``report --json`` contract: theta_names, theta, values, output, jacobian,
    loss, gradient, node_gradients, nondifferentiable (plus title, loss_node,
    exact strings of the headline numbers)."""
    return {
        "title": net.title,
        "theta_names": ev.theta_names,
        "theta": _plain(ev.theta),
        "values": {k: _plain(v) for k, v in ev.values.items()},
        "output": ev.output,
        "jacobian": _plain(ev.jacobian),
        "loss_node": ev.loss_node,
        "loss": _plain(ev.loss),
        "gradient": _plain(ev.gradient),
        "node_gradients": {k: _plain(v) for k, v in ev.node_gradients.items()}
        if ev.loss_node
        else {},
        "nondifferentiable": [{"node": n, "index": list(i)} for n, i in ev.nondifferentiable],
        "exact": {
            "values": {k: _exact(v) for k, v in ev.values.items()},
            "jacobian": _exact(ev.jacobian),
            "loss": _exact(ev.loss),
            "gradient": _exact(ev.gradient),
        },
    }


def _exact(a: Any) -> Any:
    if a is None:
        return None
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return format_scalar(float(arr))
    return [_exact(x) for x in arr]


def _table(
    row_names: list[str], col_names: list[str], m: np.ndarray, exact: bool, digits: int
) -> list[str]:
    cells = [[format_scalar(float(x), exact=exact, digits=digits) for x in row] for row in m]
    widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(col_names)]
    left = max(len(r) for r in row_names)
    head = "  ".join(c.rjust(w) for c, w in zip(col_names, widths, strict=True))
    lines = [" " * (left + 2) + head]
    for name, r in zip(row_names, cells, strict=True):
        row = "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        lines.append(name.ljust(left) + "  " + row)
    return lines


def report_text(net: Network, ev: Evaluation, exact: bool = True, digits: int = 4) -> str:
    """The human report: values node by node, J_f(Θ), loss and ∇l(Θ)."""
    fmt: dict[str, Any] = {"exact": exact, "digits": digits}
    out = [net.title or "gradviz report", ""]
    out.append("Values (forward pass)")
    width = max(len(n.id) for n in net.nodes)
    for nid in net.topological_order():
        node = net.node(nid)
        text = format_array(ev.values[nid], **fmt)
        head = f"  {nid.ljust(width)} = "
        if node.op not in ("input", "param"):
            head += f"{node.display_label}: "
        pad = "\n" + " " * len(head)
        out.append(head + pad.join(text.splitlines()))
    out.append("")
    out.append("Θ = (" + ", ".join(ev.theta_names) + ")")
    out.append("  = (" + ", ".join(format_scalar(float(x), **fmt) for x in ev.theta) + ")")
    if ev.jacobian is not None and ev.output is not None:
        m = ev.jacobian.shape[0]
        out += [
            "",
            f"J_{ev.output}(Θ), the Jacobian of the output '{ev.output}' ({m} × {len(ev.theta)})",
        ]
        rows = [f"{ev.output}[{i + 1}]" for i in range(m)]
        out += ["  " + line for line in _table(rows, ev.theta_names, ev.jacobian, exact, digits)]
    if ev.loss is not None and ev.gradient is not None:
        out += [
            "",
            f"Loss {ev.loss_node} = {format_scalar(ev.loss, **fmt)}",
            "",
            f"∇{ev.loss_node}(Θ), the direction of a gradient-descent step",
        ]
        grad_rows = _table(
            [f"∂{ev.loss_node}/∂θ"], ev.theta_names, ev.gradient[None, :], exact, digits
        )
        out += ["  " + line for line in grad_rows]
    out.append("")
    overflowed = [nid for nid, v in ev.values.items() if not np.all(np.isfinite(v))]
    if overflowed:
        out.append("Not finite (a number overflowed float64): " + ", ".join(overflowed))
    if ev.nondifferentiable:
        out.append("Non-differentiable points (derivative taken as 0):")
        for nid, idx in ev.nondifferentiable:
            src = ev.inputs_of(nid)[0]
            where = ",".join(str(i + 1) for i in idx)
            out.append(f"  {nid}: its input {src}[{where}] is exactly 0")
    else:
        out.append("Non-differentiable points: none")
    return "\n".join(out) + "\n"
