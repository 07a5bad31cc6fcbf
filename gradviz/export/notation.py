"""The sheet's notation for any network: node ids as LaTeX math symbols.

Exercise 3 names its nodes ``E``, ``P``, ``z``, ``g``, ``Q``, ``z2``, ``f``,
``l`` and writes ``z_E``, ``g_E``, ``z'_E``, ``f_E`` for the intermediate
functions of Θ (the input ``E`` fixed), ``p_{i,j}`` for the entries of ``P``,
``E_0``, ``P_0``, ``Θ_0`` for the values at the point. :class:`Notation` derives
the same for any file:

* a one-letter id is that letter; ``z2`` becomes ``z'`` (``z3`` ``z''``) when ``z``
  is also a node and ``z1`` is not, otherwise ``z_{2}``; ``W_out`` becomes
  ``W_{\\mathrm{out}}``; a word ``hidden`` becomes ``\\mathrm{hidden}``; anything
  else (spaces, symbols, hostile text) is escaped into an ``\\mbox``;
* an op node that depends on the network's single input ``E`` gets ``_E``;
* a parameter ``P``'s entries are ``p_{i,j}`` (1-based), a vector's ``b_{i}``.

Symbols are unique: when two ids would look alike, both fall back to the
escaped id.
"""

from __future__ import annotations

import re

import numpy as np

from gradviz.export.escape import latex_math_text
from gradviz.model.network import Network

_LETTER_DIGITS = re.compile(r"^([A-Za-z])(\d+)$")
_LETTER_SUFFIX = re.compile(r"^([A-Za-z])_?([A-Za-z0-9]+)$")
_WORD_DIGITS = re.compile(r"^([A-Za-z]{2,})_?(\d*)$")


def _raw_symbol(node_id: str, ids: set[str]) -> tuple[str, str | None]:
    """(base, subscript) for one id, before uniqueness is checked."""
    if re.fullmatch(r"[A-Za-z]", node_id):
        return node_id, None
    m = _LETTER_DIGITS.match(node_id)
    if m:
        letter, digits = m.groups()
        n = int(digits)
        if letter in ids and f"{letter}1" not in ids and 2 <= n <= 4 and digits[0] != "0":
            return letter + "'" * (n - 1), None
        return letter, digits
    m = _LETTER_SUFFIX.match(node_id)
    if m:
        letter, rest = m.groups()
        return letter, rest if rest.isdigit() or len(rest) == 1 else rf"\mathrm{{{rest}}}"
    m = _WORD_DIGITS.match(node_id)
    if m:
        word, digits = m.groups()
        return rf"\mathrm{{{word}}}", digits or None
    return latex_math_text(node_id), None


def _join(base: str, sub: str | None) -> str:
    return base if sub is None else f"{base}_{{{sub}}}"


class Notation:
    """LaTeX math names for the nodes, parameter entries and points of ``net``."""

    def __init__(self, net: Network) -> None:
        self.net = net
        ids = set(net.ids)
        raw = {nid: _raw_symbol(nid, ids) for nid in net.ids}
        seen: dict[str, list[str]] = {}
        for nid, parts in raw.items():
            seen.setdefault(_join(*parts), []).append(nid)
        for clash in (v for v in seen.values() if len(v) > 1):
            for nid in clash:
                raw[nid] = (latex_math_text(nid), None)
        self._parts = raw
        bases = {nid: self._entry_base(nid) for nid in net.ids}
        counts: dict[str, int] = {}
        for b in bases.values():
            counts[b] = counts.get(b, 0) + 1
        # W1 and w1 would both write w^{(1)}_{i,j}: such entries keep their brackets
        self._entry_bases = {
            nid: b if counts[b] == 1 else f"({self.sym(nid)})" for nid, b in bases.items()
        }
        inputs = [n.id for n in net.nodes if n.op == "input"]
        self.input_id = inputs[0] if len(inputs) == 1 else None
        self._depends_on_input = self._descendants(self.input_id) if self.input_id else set()
        self._theta_dependent = (
            set().union(*(self._descendants(p) for p in net.param_ids)) if net.param_ids else set()
        )

    def _descendants(self, source: str) -> set[str]:
        out: set[str] = set()
        stack = [source]
        while stack:
            for user in self.net.consumers(stack.pop()):
                if user not in out:
                    out.add(user)
                    stack.append(user)
        return out

    def depends_on_theta(self, node_id: str) -> bool:
        """Whether the node's value changes with Θ (a parameter is upstream)."""
        return node_id in self._theta_dependent

    def param_ancestors(self, node_id: str) -> list[str]:
        """The parameters upstream of ``node_id`` (or itself), in Θ order."""
        return [p for p in self.net.param_ids if p == node_id or node_id in self._descendants(p)]

    # ------------------------------------------------------------------ symbols

    def sym(self, node_id: str) -> str:
        """The bare symbol: ``z'``, ``P``, ``W_{1}``."""
        return _join(*self._parts[node_id])

    def _with_sub(self, node_id: str, extra: str) -> str:
        base, sub = self._parts[node_id]
        if sub is None:
            return f"{base}_{{{extra}}}"
        return f"{{{_join(base, sub)}}}_{{{extra}}}"

    def _fixed_input(self, node_id: str, point: bool) -> str | None:
        """The ``E`` (or ``E_0``) subscript; none on the loss, on nodes that do not
        depend on the input, and on symbols with a subscript of their own."""
        if self.input_id is None or node_id == self.net.loss:
            return None
        if self._parts[node_id][1] is not None:
            return None
        if node_id not in self._depends_on_input:
            return None
        return self.at(self.input_id, 0) if point else self.sym(self.input_id)

    def fn(self, node_id: str) -> str:
        """The node as a function of Θ, input fixed: ``z'_{E}``; leaves as is."""
        node = self.net.node(node_id)
        if not node.inputs:
            return self.sym(node_id)
        sub = self._fixed_input(node_id, point=False)
        return self.sym(node_id) if sub is None else self._with_sub(node_id, sub)

    def fn_point(self, node_id: str) -> str:
        """The function's name at the input's value: ``z'_{E_0}`` (no argument)."""
        node = self.net.node(node_id)
        if not node.inputs:
            return self.at(node_id, 0)
        sub = self._fixed_input(node_id, point=True)
        return self.sym(node_id) if sub is None else self._with_sub(node_id, sub)

    def value(self, node_id: str, step: int = 0) -> str:
        """The node's value at the point: ``z_{E_0}(\\Theta_0)``, ``P_0``, ``E_0``."""
        node = self.net.node(node_id)
        if not node.inputs:
            return self.at(node_id, step)
        head = self.fn_point(node_id)
        return rf"{head}(\Theta_{step})" if self.depends_on_theta(node_id) else head

    def at(self, node_id: str, step: int) -> str:
        """A leaf at step ``step``: ``P_0``, ``P_1`` (``{W_{1}}^{(0)}`` when subscripted)."""
        base, sub = self._parts[node_id]
        if sub is None:
            return f"{base}_{{{step}}}" if "'" not in base else f"{{{base}}}_{{{step}}}"
        return f"{{{_join(base, sub)}}}^{{({step})}}"

    def entry_base(self, node_id: str) -> str:
        r"""The letter of the entries: ``p`` for ``P`` (when ``p`` is not a node),
        ``w^{(1)}`` for ``W1``, ``b^{(1)}`` for ``b1``; else (or when two nodes would
        share it) the symbol in brackets, ``(W_{\mathrm{out}})``."""
        return self._entry_bases[node_id]

    def _entry_base(self, node_id: str) -> str:
        base, sub = self._parts[node_id]
        if re.fullmatch(r"[A-Za-z]", base):
            letter = base.lower() if base.lower() not in self.net.ids or base.islower() else base
            if sub is None:
                return letter
            if sub.isdigit():
                return f"{letter}^{{({sub})}}"
        return f"({_join(base, sub)})"

    def entry(self, node_id: str, index: tuple[int, ...]) -> str:
        """One entry, 1-based: ``p_{1,2}``; a scalar's entry is the symbol itself."""
        if not index:
            return self.sym(node_id)
        return f"{self.entry_base(node_id)}_{{{','.join(str(i + 1) for i in index)}}}"

    def generic_entry(self, node_id: str) -> str:
        """``p_{i,j}`` / ``b_{i}`` / ``w`` for the parameter ``node_id``."""
        node = self.net.node(node_id)
        ndim = np.asarray(node.value).ndim
        if ndim == 0:
            return self.sym(node_id)
        return f"{self.entry_base(node_id)}_{{{','.join('ijkl'[:ndim])}}}"

    def theta_entries(self) -> list[tuple[str, tuple[int, ...]]]:
        """(param id, index) for every entry of Θ, in Θ order."""
        out: list[tuple[str, tuple[int, ...]]] = []
        for pid in self.net.param_ids:
            shape = np.asarray(self.net.node(pid).value).shape
            out.extend((pid, tuple(int(i) for i in idx)) for idx in np.ndindex(*shape))
        return out
