"""Gradient descent from the toolbar: the sheet's Q7 one step at a time.

A step is ``Θ ← Θ − lr · ∇l(Θ)`` (``lr`` typed as ``1``, ``0.1`` or ``1/2``),
pushed as one :class:`~gradviz.qt.undo.SetThetaCommand`; "Run N" takes N steps
as a single undo entry; Reset puts Θ back to the values the file was loaded
with. ``doc.loss_history`` lists the loss at every point visited (the start
first), and :class:`LossPlot` draws it with QPainter.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolBar,
    QWidget,
)

from gradviz.engine.exact import format_scalar
from gradviz.engine.numbers import NumberError
from gradviz.model.document import Change, Document
from gradviz.model.training import Descent, descend, parse_learning_rate
from gradviz.qt.document_link import DocumentLink, FollowsDocument
from gradviz.qt.sheet_notation import number
from gradviz.qt.theme import DisplayOptions
from gradviz.qt.undo import SetThetaCommand

#: The current loss beside the plot; a NaN or infinite loss adds the warning colour.
LOSS_STYLE = "font-size: 11pt; padding-left: 8px;"


class LossPlot(QWidget):
    """A small line plot of the loss history (oldest left), y from 0 to the maximum."""

    def __init__(
        self, options: DisplayOptions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._options = options or DisplayOptions()
        self._history: list[float] = []
        self.setMinimumSize(self.sizeHint())
        self.setToolTip("Loss after each gradient step (the start at the left)")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 40)

    @property
    def history(self) -> list[float]:
        return list(self._history)

    def set_history(self, losses: list[float]) -> None:
        self._history = [float(x) for x in losses]
        if self._history:
            text = " → ".join(
                format_scalar(x, exact=False, digits=4, unicode_minus=True)
                for x in self._history[-8:]
            )
            more = "… → " if len(self._history) > 8 else ""
            self.setToolTip(f"Loss after each of {len(self._history) - 1} step(s): {more}{text}")
        else:
            self.setToolTip("Loss after each gradient step (none taken yet)")
        self.update()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.update()

    def points(self) -> list[QPointF]:
        """Where each loss is drawn, in widget coordinates."""
        finite = [x for x in self._history if math.isfinite(x)]
        if not finite:
            return []
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        top = max(max(finite), 1e-12)
        n = len(self._history)
        pts = []
        for i, x in enumerate(self._history):
            fx = i / (n - 1) if n > 1 else 1.0
            y = x if math.isfinite(x) else top
            pts.append(
                QPointF(
                    area.left() + fx * area.width(),
                    area.bottom() - max(0.0, y) / top * area.height(),
                )
            )
        return pts

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        theme = self._options.palette
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(QColor(theme.grid), 1))
        p.setBrush(QColor(theme.background))
        p.drawRoundedRect(frame, 4, 4)
        pts = self.points()
        if not pts:
            p.setPen(QColor(theme.dim_text))
            p.drawText(frame, Qt.AlignmentFlag.AlignCenter, "loss: no steps yet")
            p.end()
            return
        base = frame.bottom() - 5.5
        p.setPen(QPen(QColor(theme.grid), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(frame.left() + 4, base), QPointF(frame.right() - 4, base))
        path = QPainterPath(pts[0])
        for pt in pts[1:]:
            path.lineTo(pt)
        p.setPen(QPen(QColor(theme.gradient), 1.8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setBrush(QColor(theme.gradient))
        p.setPen(Qt.PenStyle.NoPen)
        for pt in pts[-60:]:
            p.drawEllipse(pt, 2.2, 2.2)
        p.end()


class TrainingToolBar(FollowsDocument, QToolBar):
    """Learning rate, Step, Run N steps, Reset, the loss plot and the current loss.
    ``statusMessage(text)``: one sentence for the status bar — the loss before →
    after a step, or why a step or a typed learning rate is refused ("" clears a
    complaint about the learning rate once it is valid)."""

    statusMessage = Signal(str)
    #: ``stepsTaken(n)``: Step or Run pushed ``n`` gradient steps (the window autosaves).
    stepsTaken = Signal(int)

    def __init__(
        self,
        doc: Document,
        undo_stack: QUndoStack,
        options: DisplayOptions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Gradient descent", parent)
        self.setObjectName("gradientDescentToolBar")
        self._options = options or DisplayOptions()
        self._lr_complaint = False  # a refused learning rate is in the status bar
        self.addWidget(QLabel(" Learning rate ", self))
        self.lr_edit = QLineEdit("0.05", self)
        self.lr_edit.setFixedWidth(64)
        self.lr_edit.setToolTip("The step size lr in Θ ← Θ − lr·∇l(Θ): 1, 0.1 or 1/2")
        self._lr: float | None = None  # the field's text parsed (None: refused) ...
        self._lr_problem = ""  # ... and why it is refused: both set by _parse_lr
        self._parse_lr(self.lr_edit.text())
        self.lr_edit.textChanged.connect(self._validate)
        self.addWidget(self.lr_edit)
        self.step_button = QPushButton("Step", self)
        self.step_button.setToolTip("One step of gradient descent: Θ ← Θ − lr·∇l(Θ)")
        self.step_button.clicked.connect(self.step)
        self.addWidget(self.step_button)
        self.run_button = QPushButton("Run", self)
        self.run_button.setToolTip("Take N steps at once (one undo entry)")
        self.run_button.clicked.connect(self._run_clicked)
        self.addWidget(self.run_button)
        self.steps_spin = QSpinBox(self)
        self.steps_spin.setRange(1, 10_000)
        self.steps_spin.setValue(10)
        self.steps_spin.setSuffix(" steps")
        self.addWidget(self.steps_spin)
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setToolTip("Θ back to the values the file was loaded with")
        self.reset_button.clicked.connect(self.reset)
        self.addWidget(self.reset_button)
        self.addSeparator()
        self.plot = LossPlot(self._options, self)
        self.addWidget(self.plot)
        self.loss_label = QLabel(self)
        self.loss_label.setMinimumWidth(130)
        self.loss_label.setStyleSheet(LOSS_STYLE)
        self.addWidget(self.loss_label)
        self._link = DocumentLink(doc, undo_stack, self._on_change)
        self._refresh()

    # -- document --------------------------------------------------------------
    def set_document(self, doc: Document, undo_stack: QUndoStack | None = None) -> None:
        self._link.switch(doc, undo_stack)
        self._refresh()

    def set_options(self, options: DisplayOptions) -> None:
        self._options = options
        self.plot.set_options(options)
        self._refresh()

    def detach(self) -> None:
        self._link.detach()

    def _on_change(self, change: Change) -> None:
        if change.kind != "positions":
            self._refresh()

    def _loss_style(self, style: str) -> None:
        """A new style sheet re-polishes and relayouts the label: only when it changes."""
        if self.loss_label.styleSheet() != style:
            self.loss_label.setStyleSheet(style)

    def _refresh(self) -> None:
        ev = self.doc.evaluation
        has_loss = ev.loss is not None
        lr_ok = self.learning_rate() is not None
        for b in (self.step_button, self.run_button):
            b.setEnabled(has_loss and lr_ok)
        self.reset_button.setEnabled(self._can_reset())
        history = list(self.doc.loss_history)
        self.plot.set_history(history)
        if ev.loss is None or ev.loss_node is None:
            self.loss_label.setText("no loss node")
            self._loss_style(LOSS_STYLE)
            self.setToolTip("This network has no loss node, so there is nothing to descend")
            return
        self.setToolTip("")
        loss = number(ev.loss, self._options)
        self.loss_label.setText(f"{ev.loss_node} = {loss}")
        finite = math.isfinite(ev.loss)
        colour = "" if finite else f" color: {self._options.palette.warning};"
        self._loss_style(LOSS_STYLE + colour)
        self.loss_label.setToolTip(
            ""
            if finite
            else f"The loss is {loss}: Step and Run are refused until the weights "
            "give a finite loss again (Undo, or Reset Θ)"
        )

    def _can_reset(self) -> bool:
        init = self.doc.initial.theta
        cur = self.doc.network.theta
        return init.shape == cur.shape and not np.array_equal(init, cur)

    # -- learning rate ---------------------------------------------------------
    def learning_rate(self) -> float | None:
        """The typed learning rate, or None when it is not a finite number > 0."""
        return self._lr

    def _parse_lr(self, text: str) -> None:
        """Parse the field's text once per change: ``_lr`` the learning rate (None
        when refused) and ``_lr_problem`` why it is refused ("" when it is not)."""
        try:
            self._lr, self._lr_problem = parse_learning_rate(text), ""
        except NumberError as e:
            self._lr, self._lr_problem = None, str(e)

    def _validate(self, text: str) -> None:
        """Red field and a status sentence while the text is no learning rate;
        the sentence is cleared as soon as it is one again."""
        self._parse_lr(text)
        problem = self._lr_problem
        self.lr_edit.setStyleSheet("background: #fde7e7;" if problem else "")
        self.lr_edit.setToolTip(
            _sentence(problem) if problem else "The step size lr in Θ ← Θ − lr·∇l(Θ)"
        )
        if problem:
            self.statusMessage.emit(_sentence(problem))
        elif self._lr_complaint:
            self.statusMessage.emit("")
        self._lr_complaint = bool(problem)
        self._refresh()

    def _run_clicked(self) -> None:
        self.run(self.steps_spin.value())

    # -- actions ---------------------------------------------------------------
    def step(self) -> bool:
        """One step as one undo entry; False (and a status message) when refused."""
        return self.run(1)

    def run(self, steps: int) -> bool:
        """``steps`` steps of gradient descent as one undo entry. A step that would
        leave finite numbers is refused: Run keeps the steps before it and says at
        which step it stopped. True when every step was taken."""
        verb = "Step" if steps == 1 else "Run"
        lr = self.learning_rate()
        if lr is None:
            self.statusMessage.emit(f"{verb} refused: {self._lr_problem}.")
            return False
        if self.doc.network.loss is None:
            self.statusMessage.emit(f"{verb} refused: this network has no loss node to descend.")
            return False
        net = self.doc.network.copy()
        done = descend(net, lr, steps)
        if done.taken:
            self._push(net.theta, done)
        self.statusMessage.emit(self._report(done, steps))
        return done.refused is None

    def _push(self, theta: np.ndarray, done: Descent) -> None:
        """The steps taken as one undo entry; the history restarts after an edit."""
        history = list(self.doc.loss_history)
        if not history or history[-1] != done.losses[0]:  # Θ was edited since
            history.append(done.losses[0])
        history.extend(done.losses[1:])
        self._undo.push(SetThetaCommand(self.doc, theta, self._steps_text(done.taken), history))
        self.stepsTaken.emit(done.taken)

    def _steps_text(self, taken: int) -> str:
        lr_text = self.lr_edit.text().strip()
        if taken == 1:
            return f"Gradient step (lr {lr_text})"
        return f"{taken} gradient steps (lr {lr_text})"

    def _report(self, done: Descent, steps: int) -> str:
        """One sentence for the status bar: the loss before → after, or why a step
        was refused (and, for Run, at which step it stopped)."""
        n = self._options
        losses = f"loss {number(done.losses[0], n)} → {number(done.losses[-1], n)}"
        if done.refused is None:
            return f"{self._steps_text(done.taken)}: {losses}."
        advice = "change the weights first (Undo or Reset Θ)" if done.stuck else "Θ is unchanged"
        if steps == 1:
            return f"Step refused: {done.refused}; {advice}."
        at = f"step {done.taken + 1} of {steps}"
        if not done.taken:
            return f"Run refused at {at}: {done.refused}; {advice}."
        taken = "the step" if done.taken == 1 else f"the {done.taken} steps"
        return f"Run stopped at {at}: {done.refused}; kept {taken} before it, {losses}."

    def reset(self) -> bool:
        """Θ back to the loaded values (one undo entry; the loss history restarts)."""
        init = self.doc.initial.theta
        if init.shape != self.doc.network.theta.shape:
            self.statusMessage.emit(
                "The network's parameters changed shape; Reset cannot restore the loaded values."
            )
            return False
        self._undo.push(SetThetaCommand(self.doc, init, "Reset Θ to the loaded values", []))
        self.statusMessage.emit("Θ is back to the loaded values.")
        return True


def _sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
