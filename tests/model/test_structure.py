"""Structural edits on the sheet's network: each one's result (exact numbers), that
the input network is never changed, and each refusal's one-sentence reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from gradviz.engine.check import check_evaluation
from gradviz.engine.exact import format_scalar, format_vector
from gradviz.model import edit_menu as M
from gradviz.model import structure as S
from gradviz.model.builder import NetworkSpec, build_network
from gradviz.model.fileformat import ModelError, dumps, load, loads, validate
from gradviz.model.layout import ROW_SPACING
from gradviz.model.network import Network


@pytest.fixture
def sheet() -> Iterator[Network]:
    """exercise3, checked afterwards to be exactly as loaded (edits never mutate)."""
    net = load("exercise3")
    before = dumps(net)
    yield net
    assert dumps(net) == before


def ok(net: Network) -> Network:
    """The edited network validates, survives a file, and agrees with finite differences."""
    validate(net)
    again = loads(dumps(net))
    assert all(r.ok for r in check_evaluation(again.evaluate()))
    return again


def refused(fn: Callable[..., Network], *args: object, match: str) -> None:
    with pytest.raises(ModelError) as info:
        fn(*args)
    assert match in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


def test_insert_activation_on_an_edge(sheet: Network) -> None:
    net = ok(S.insert_activation(sheet, "z2", "f", "sigmoid"))
    assert net.ids == ["E", "P", "z", "g", "Q", "z2", "g2", "f", "l"]
    assert net.node("g2").op == "sigmoid" and net.node("g2").label == "σ"
    assert net.node("f").inputs == ["g2"]
    ev = net.evaluate()
    assert format_vector(ev.values["f"]) == "(1/2, 1/2)"  # σ(1) = σ(1): still a tie
    assert net.param_ids == ["P", "Q"]
    ok(S.insert_activation(sheet, "E", "z", "tanh"))


def test_insert_activation_refusals(sheet: Network) -> None:
    refused(S.insert_activation, sheet, "P", "z", "relu", match="'P' is a parameter")
    refused(S.insert_activation, sheet, "E", "f", "relu", match="no edge from 'E' to 'f'")
    refused(S.insert_activation, sheet, "z", "g", "gelu", match="unknown activation 'gelu'")
    refused(S.insert_activation, sheet, "nope", "g", "relu", match="there is no node 'nope'")


def test_new_nodes_land_on_their_edge_in_a_saved_drawing(sheet: Network) -> None:
    placed = sheet.copy()
    for n in placed.nodes:
        n.extra["pos"] = [100.0 * placed.ids.index(n.id), 0.0]
    g2 = S.insert_activation(placed, "z2", "f", "relu")
    assert g2.node("g2").pos == (550.0, 0.0)
    biased = S.add_bias(placed, "z")
    assert biased.node("a").pos == (250.0, 0.0)
    assert biased.node("b1").pos == (250.0, -ROW_SPACING / 2)
    assert S.insert_activation(sheet, "z2", "f", "relu").node("g2").pos is None


def test_change_op(sheet: Network) -> None:
    net = ok(S.change_op(sheet, "g", "tanh"))
    assert net.node("g").op == "tanh" and net.node("g").label == "tanh"
    assert np.allclose(net.evaluate().values["g"], np.tanh([2.0, 1.0, -3.0]))
    assert S.change_op(net, "g", "relu").node("g").label == "ReLU"
    refused(S.change_op, sheet, "z", "tanh", match="'z' is a matmul, not an activation")
    refused(S.change_op, sheet, "g", "relu", match="'g' already is a ReLU")
    refused(S.change_op, sheet, "g", "softmax", match="unknown activation")


def test_add_bias_then_remove_it(sheet: Network) -> None:
    net = ok(S.add_bias(sheet, "z"))
    assert net.ids == ["E", "P", "z", "b1", "a", "g", "Q", "z2", "f", "l"]
    assert net.param_ids == ["P", "b1", "Q"]
    assert net.node("a").label == "+b₁" and net.node("b1").label == "b₁"
    assert net.node("g").inputs == ["a"]
    ev = net.evaluate()
    assert ev.theta_names[6:9] == ["b1[1]", "b1[2]", "b1[3]"]
    # a zero bias changes nothing; ∂l/∂b1 = ∂l/∂z = (−3/2, 3, 0) (the sheet's ∂l/∂p_i1 / e_1)
    assert format_vector(ev.gradient[6:9]) == "(-3/2, 3, 0)"
    assert format_scalar(ev.loss) == "ln 2"
    two = ok(S.add_bias(net, "z2"))
    assert two.param_ids == ["P", "b1", "Q", "b2"] and two.node("f").inputs == ["a2"]
    back = S.remove_bias(S.remove_bias(two, "a2"), "a")
    assert dumps(back) == dumps(sheet)


def test_bias_on_the_output_moves_the_output() -> None:
    net = build_network(NetworkSpec(layers=(2, 3, 2), head="mse"))
    biased = ok(S.add_bias(net, "f"))
    assert biased.output == "a2" and biased.node("l").inputs == ["a2"]
    assert S.remove_bias(biased, "a2").output == "f"


def test_bias_refusals(sheet: Network) -> None:
    refused(S.add_bias, sheet, "g", match="'g' is a relu")
    refused(S.add_bias, S.add_bias(sheet, "z"), "z", match="'z' already has a bias ('b1')")
    refused(S.remove_bias, sheet, "g", match="'g' is a relu, not a bias")


def test_widen_and_narrow_a_hidden_layer(sheet: Network) -> None:
    wide = ok(S.change_width(sheet, "g", 4))
    assert wide.node("P").value.tolist() == [[3, 1], [1, 0], [-1, 2], [0, 0]]
    assert wide.node("Q").value.tolist() == [[1, -1, 3, 0], [-2, 5, 4, 0]]
    assert format_vector(wide.evaluate().gradient) == (
        "(-3/2, 3/2, 3, -3, 0, 0, 0, 0, -1, -1/2, 0, 0, 1, 1/2, 0, 0)"
    )
    ints = S.change_width(sheet, "z", 5, init="ints", seed=4)
    assert ints.node("P").value.shape == (5, 2) and ints.node("Q").value.shape == (2, 5)
    assert np.array_equal(
        ints.node("P").value, S.change_width(sheet, "P", 5, "ints", 4).node("P").value
    )
    assert np.all(np.abs(ints.node("P").value[3:]) <= 3)
    narrow = ok(S.change_width(sheet, "g", 2))
    assert narrow.node("P").value.tolist() == [[3, 1], [1, 0]]
    assert narrow.node("Q").value.tolist() == [[1, -1], [-2, 5]]


def test_width_through_bias_input_and_output() -> None:
    net = build_network(NetworkSpec(layers=(2, 3, 2), bias=True, head="mse", target=(1, 2)))
    wider = ok(S.change_width(net, "b1", 4, "gaussian", 1))
    assert wider.node("b1").value.shape == (4,) and wider.node("Q").value.shape == (2, 4)
    out = ok(S.change_width(net, "f", 3))
    assert out.node("Q").value.shape == (3, 3) and out.node("b2").value.shape == (3,)
    assert out.node("l").attrs["target"].tolist() == [1, 2, 0]
    inp = ok(S.change_width(net, "E", 3, "ints", 2))
    assert inp.node("E").value.shape == (3,) and inp.node("P").value.shape == (3, 3)


def test_width_refusals(sheet: Network) -> None:
    refused(S.change_width, sheet, "g", 3, match="already has 3 units")
    refused(S.change_width, sheet, "g", 0, match="at least 1")
    refused(S.change_width, sheet, "g", 4, "exercise", match="unknown init 'exercise'")
    refused(S.change_width, sheet, "l", 4, match="'l' is not part of a layer")
    second = S.change_loss(sheet, "softmax", 1)
    refused(S.change_width, second, "z2", 1, match="takes class 2, which a layer of 1 units")
    shared = loads(
        dumps(sheet)
        .replace('"inputs": ["Q", "g"]', '"inputs": ["P", "E"]')
        .replace('"value": [[1, -1, 3], [-2, 5, 4]]', '"value": [[1, 1]]')
    )
    refused(S.change_width, shared, "g", 4, match="'P' is also used by 'z2'")


def test_delete_nodes(sheet: Network) -> None:
    linear = ok(S.delete_node(sheet, "g"))
    assert linear.ids == ["E", "P", "z", "Q", "z2", "f", "l"]
    assert format_vector(linear.evaluate().values["z2"]) == "(-8, -11)"
    biased = S.add_bias(sheet, "z")
    assert dumps(S.delete_node(biased, "a")) == dumps(sheet)
    square = loads(
        dumps(sheet)
        .replace('"value": [[3, 1], [1, 0], [-1, 2]]', '"value": [[3, 1], [1, 0]]')
        .replace('"value": [[1, -1, 3], [-2, 5, 4]]', '"value": [[1, -1], [-2, 5]]')
    )
    no_p = ok(S.delete_node(square, "z"))
    assert "P" not in no_p.ids and no_p.node("g").inputs == ["E"]  # the weight went too


def test_delete_refusals(sheet: Network) -> None:
    refused(S.delete_node, sheet, "P", match="the parameter 'P' is needed by 'z'")
    refused(S.delete_node, sheet, "E", match="the input 'E' is needed by 'z'")
    refused(S.delete_node, sheet, "l", match="'l' is the network's loss")
    refused(S.delete_node, sheet, "z", match="'E' has shape (2,) but 'z' has (3,), so 'g'")
    refused(S.delete_node, sheet, "f", match="the −ln in 'l' needs a softmax's probabilities")


def test_change_loss_between_softmax_and_mse(sheet: Network) -> None:
    mse = ok(S.change_loss(sheet, "mse", [1.0, 0.0]))
    assert "f" not in mse.ids and mse.output == "z2" and mse.loss == "l"
    assert mse.node("l").op == "mse" and mse.node("l").label == "MSE"
    assert format_scalar(mse.evaluate().loss) == "1/2"  # ((1−1)² + (1−0)²) / 2
    back = ok(S.change_loss(mse, "softmax", 0))
    assert dumps(back) == dumps(sheet)
    second = S.change_loss(sheet, "softmax", 1)
    assert second.node("l").attrs["index"] == 1 and second.ids == sheet.ids
    assert format_vector(second.evaluate().gradient) == (
        "(3/2, -3/2, -3, 3, 0, 0, 1, 1/2, 0, -1, -1/2, 0)"
    )


def test_change_loss_refusals(sheet: Network) -> None:
    refused(S.change_loss, sheet, "hinge", 0, match="unknown loss 'hinge'")
    refused(S.change_loss, sheet, "softmax", 2, match="class 3 is out of range")
    refused(
        S.change_loss,
        sheet,
        "mse",
        [1.0, 0.0, 0.0],
        match="the target has shape (3,) but 'z2' has (2,)",
    )


def test_menus_list_what_applies_and_why_not(sheet: Network) -> None:
    on_g = {o.text: o for o in M.node_edits(sheet, "g")}
    assert set(on_g) == {"Change to σ", "Change to tanh", "Change the width…", "Delete"}
    assert all(o.enabled for o in on_g.values())
    assert on_g["Change the width…"].needs == "width"
    wide = M.apply_edit(sheet, on_g["Change the width…"], width=4)
    assert wide.node("Q").value.shape == (2, 4)
    on_p = {o.text: o for o in M.node_edits(sheet, "P")}
    assert on_p["Delete"].reason == "the parameter 'P' is needed by 'z'"
    with pytest.raises(ModelError, match="needed by"):
        M.apply_edit(sheet, on_p["Delete"])
    on_l = [o for o in M.node_edits(sheet, "l") if o.action == "change_loss"]
    assert [o.args["kind"] for o in on_l] == ["softmax", "mse"]
    assert M.apply_edit(sheet, on_l[1], index_or_target=[0, 1]).node("l").op == "mse"
    on_z = {o.text: o for o in M.node_edits(sheet, "z")}
    assert on_z["Add a bias"].enabled and not on_z["Delete"].enabled
    edges = M.edge_edits(sheet, "P", "z")
    assert [o.enabled for o in edges] == [False, False, False]
    assert all(o.enabled for o in M.edge_edits(sheet, "g", "z2"))
    relu = M.apply_edit(sheet, M.edge_edits(sheet, "z2", "f")[0])
    assert relu.node("g2").op == "relu"
