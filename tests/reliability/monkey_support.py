"""A monkey for the main window: random actions a teacher could take, drawn from
a seeded generator so that a failure can be replayed (the seed and the action
number are in every error)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from gradviz.model.builder import ACTIVATION_CHOICES, NetworkSpec, build_network
from gradviz.model.examples import example_names
from gradviz.model.fileformat import save
from gradviz.qt.main_window import MainWindow
from gradviz.qt.undo import MoveNodesCommand, SetAttrCommand, SetEntryCommand

#: Values typed or set: fractions, zero (ReLU kinks), huge ones (overflow).
VALUES = (0.0, 1.0, -1.0, 0.75, -2.5, 3.0, 1e-12, 1e3, -1e6, 1e154, 1e308, -1e308)
#: Texts typed into the canvas editor; the last ones are refused.
TEXTS = ("3/4", "-2", "0", "1e3", "−1/2", "7", "1e308", "abc", "", "1/0", "nan", "1e400")


def random_networks(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` networks from the builder (depth 1–3, sizes 1–4, any activation,
    biases, either head, integer or Gaussian weights), saved as files."""
    rng = random.Random(seed)
    files = []
    for k in range(count):
        depth = rng.randint(1, 3)
        layers = tuple(rng.randint(1, 4) for _ in range(depth + 1))
        head = rng.choice(("softmax", "mse"))
        if head == "softmax" and layers[-1] < 2:
            layers = (*layers[:-1], 2)
        spec = NetworkSpec(
            layers=layers,
            activations=tuple(rng.choice(ACTIVATION_CHOICES) for _ in range(max(1, depth - 1))),
            bias=rng.random() < 0.5,
            head=head,
            init=rng.choice(("ints", "gaussian")),
            seed=rng.randint(0, 10_000),
            title=f"Monkey network {k}",
        )
        path = folder / f"monkey{k}.json"
        save(build_network(spec), path)
        files.append(path)
    return files


def settle() -> None:
    """What the event loop does between two actions of a person: pending events
    twice (deferred layout work, such as the docks' sizes after Open, takes two
    passes) and the ``deleteLater`` deletions, which Qt runs only from an event
    loop — and tests have none running."""
    QApplication.processEvents()
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class Monkey:
    """Drives ``window`` through random actions; ``counts`` says what it did."""

    def __init__(self, window: MainWindow, seed: int, folder: Path, files: list[Path]) -> None:
        self.w, self.rng, self.folder, self.files = window, random.Random(seed), folder, files
        self.seed = seed
        self.counts: Counter[str] = Counter()
        self.actions: list[tuple[int, Callable[[], None]]] = [
            (20, self.set_entry),
            (8, self.type_entry),
            (12, self.undo),
            (8, self.redo),
            (5, self.step),
            (2, self.run_steps),
            (6, self.select_node),
            (4, self.zoom),
            (1, self.export),
            (1, self.open_file),
            (1, self.new_from_example),
            (3, self.toggle_option),
            (3, self.change_loss_target),
            (3, self.move_node),
            (1, self.save),
            (2, self.hover_column),
        ]
        self._names = [a.__name__ for _, a in self.actions]
        self._weights = [w for w, _ in self.actions]

    def run(self, n: int) -> Counter[str]:
        for k in range(n):
            action = self.rng.choices(self.actions, self._weights)[0][1]
            try:
                action()
                settle()
            except Exception as e:
                raise AssertionError(
                    f"monkey seed {self.seed}, action {k + 1} ({action.__name__}) on "
                    f"{self.w.doc.title!r}: {type(e).__name__}: {e}"
                ) from e
            self.counts[action.__name__] += 1
        return self.counts

    # -- helpers -------------------------------------------------------------------
    def _leaf(self) -> tuple[str, tuple[int, ...]]:
        net = self.w.doc.network
        leaves = [n for n in net.nodes if n.value is not None]
        node = self.rng.choice(leaves)
        assert node.value is not None
        index = tuple(self.rng.randrange(s) for s in node.value.shape)
        return node.id, index

    # -- actions -------------------------------------------------------------------
    def set_entry(self) -> None:
        nid, index = self._leaf()
        self.w.undo_stack.push(SetEntryCommand(self.w.doc, nid, index, self.rng.choice(VALUES)))

    def type_entry(self) -> None:
        nid, index = self._leaf()
        editor = self.w.scene.open_editor(nid, index)
        if editor is None:  # e.g. a summarised big tensor: nothing to type into
            return
        editor.setText(self.rng.choice(TEXTS))
        editor.committed.emit(editor.text())  # what Enter does
        if self.w.scene.editor is not None:  # refused: red, then Esc
            editor.cancelled.emit()

    def undo(self) -> None:
        self.w.undo_stack.undo()

    def redo(self) -> None:
        self.w.undo_stack.redo()

    def step(self) -> None:
        self.w.training.lr_edit.setText(self.rng.choice(("1", "0.1", "1/2", "0")))
        self.w.training.step()

    def run_steps(self) -> None:
        self.w.training.lr_edit.setText("0.05")
        self.w.training.run(self.rng.randint(2, 20))

    def select_node(self) -> None:
        self.w.scene.select_node(self.rng.choice([*self.w.doc.network.ids, None]))

    def zoom(self) -> None:
        self.rng.choice((self.w.view.zoom_in, self.w.view.zoom_out, self.w.view.fit))()

    def export(self) -> None:
        from gradviz.export.files import write_text_atomic
        from gradviz.export.solution import solution_markdown
        from gradviz.export.tikz import tikz_picture
        from gradviz.qt.render import export_file

        net = self.w.doc.network
        kind = self.rng.choice(("svg", "png", "pdf", "tex", "md"))
        out = self.folder / f"export.{kind}"
        if kind == "tex":
            write_text_atomic(out, tikz_picture(net))
        elif kind == "md":
            write_text_atomic(out, solution_markdown(net))
        else:
            export_file(net, out, scale=0.25, theme=self.w.options.theme)
        assert out.stat().st_size > 0

    def open_file(self) -> None:
        assert self.w.open_file(str(self.rng.choice(self.files)))

    def new_from_example(self) -> None:
        assert self.w.new_from_example(self.rng.choice(example_names()))

    def toggle_option(self) -> None:
        o = self.w.options
        change = self.rng.choice(("exact", "digits", "theme", "show_values", "show_gradients"))
        if change == "digits":
            self.w.set_options(o.with_(digits=self.rng.choice((2, 4, 6, 10))))
        elif change == "theme":
            self.w.set_options(o.with_(theme="dark" if o.theme == "light" else "light"))
        else:
            self.w.set_options(o.with_(**{change: not getattr(o, change)}))

    def change_loss_target(self) -> None:
        doc = self.w.doc
        loss = doc.network.loss
        if loss is None:
            return
        node = doc.network.node(loss)
        if node.op == "neg_log":
            size = int(np.asarray(doc.evaluation.values[node.inputs[0]]).size)
            k = self.rng.randrange(size)
            self.w.undo_stack.push(SetAttrCommand(doc, loss, "index", k, f"Target {k + 1}"))
        elif node.op == "mse":
            shape = np.shape(node.attrs["target"])
            new = np.asarray([self.rng.choice(VALUES[:6]) for _ in range(int(np.prod(shape)))])
            self.w.undo_stack.push(
                SetAttrCommand(doc, loss, "target", new.reshape(shape), "Target")
            )

    def move_node(self) -> None:
        nid = self.rng.choice(self.w.doc.network.ids)
        old = {nid: self.w.doc.network.node(nid).pos}
        new = {nid: (self.rng.uniform(-500, 1500), self.rng.uniform(-500, 800))}
        self.w.undo_stack.push(MoveNodesCommand(self.w.doc, old, new))

    def save(self) -> None:
        self.w.save_as(str(self.folder / "saved.json"))  # refused (one line) when NaN

    def hover_column(self) -> None:
        cols = self.w.doc.network.theta.size
        self.w.jacobian_panel.parameterHovered.emit(self.rng.randrange(-1, cols))
