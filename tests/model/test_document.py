"""The Document: edits notify listeners once, the evaluation follows, and every
mutator returns what it replaced (what undo needs)."""

import numpy as np
import pytest

from gradviz.model.document import Change, Document
from gradviz.model.fileformat import ModelError, load


@pytest.fixture
def doc() -> Document:
    return Document(load("exercise3"))


def test_set_entry_notifies_and_reevaluates(doc: Document) -> None:
    seen: list[Change] = []
    doc.subscribe(seen.append)
    assert doc.evaluation.values["z"].tolist() == [2, 1, -3]
    old = doc.set_entry("P", (0, 0), 5.0)
    assert old == 3.0
    assert seen == [Change("values", ("P",))]
    assert doc.evaluation.values["z"].tolist() == [4, 1, -3]


def test_evaluation_is_cached_until_a_change(doc: Document) -> None:
    first = doc.evaluation
    assert doc.evaluation is first
    doc.set_positions({"P": (10.0, 20.0)})
    assert doc.evaluation is first  # moving a node computes nothing
    doc.set_entry("E", (1,), 2.0)
    assert doc.evaluation is not first


def test_unsubscribe_stops_notifications(doc: Document) -> None:
    seen: list[Change] = []
    unsubscribe = doc.subscribe(seen.append)
    unsubscribe()
    doc.set_entry("P", (0, 0), 1.0)
    assert seen == []


def test_set_theta_returns_old_theta(doc: Document) -> None:
    theta0 = doc.network.theta.copy()
    old = doc.set_theta(theta0 + 1)
    np.testing.assert_array_equal(old, theta0)
    np.testing.assert_array_equal(doc.network.theta, theta0 + 1)


def test_set_attr_refuses_out_of_range_and_keeps_old(doc: Document) -> None:
    assert doc.set_attr("l", "index", 1) == 0
    assert doc.evaluation.gradient is not None
    with pytest.raises(ModelError, match="out of range"):
        doc.set_attr("l", "index", 5)
    assert doc.network.node("l").attrs["index"] == 1


def test_positions_round_trip(doc: Document) -> None:
    old = doc.set_positions({"P": (1.0, 2.0)})
    assert old == {"P": None}
    assert doc.network.node("P").pos == (1.0, 2.0)
    doc.set_positions(old)
    assert doc.network.node("P").pos is None


def test_set_value_refuses_other_shapes(doc: Document) -> None:
    with pytest.raises(ModelError, match="shape"):
        doc.set_value("P", np.zeros((2, 2)))
    with pytest.raises(ModelError, match="computed"):
        doc.set_entry("z", (0,), 1.0)


def test_reset_restores_loaded_network(doc: Document) -> None:
    doc.set_entry("P", (0, 0), 9.0)
    doc.reset()
    assert doc.network.node("P").value[0, 0] == 3.0
