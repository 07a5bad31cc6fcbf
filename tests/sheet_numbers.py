"""Exercise 3 of the sheet as the app writes it (exact fractions, Unicode minus
signs): the numbers several test folders check, written once."""

from __future__ import annotations

#: J_fE(Θ0), 2 × 12: row i is f_i, column j is θ_j (the order of COLUMN_LABELS)
SHEET_J = [
    ["3/4", "−3/4", "−3/2", "3/2", "0", "0", "1/2", "1/4", "0", "−1/2", "−1/4", "0"],
    ["−3/4", "3/4", "3/2", "−3/2", "0", "0", "−1/2", "−1/4", "0", "1/2", "1/4", "0"],
]
#: ∇l(Θ0) as a 1 × 12 row
SHEET_GRAD = [["−3/2", "3/2", "3", "−3", "0", "0", "−1", "−1/2", "0", "1", "1/2", "0"]]
#: Θ0 as a 1 × 12 row
SHEET_THETA = [["3", "1", "1", "0", "−1", "2", "1", "−1", "3", "−2", "5", "4"]]
#: θ_j's names: P's entries row by row, then Q's
COLUMN_LABELS = [
    "p₁,₁",
    "p₁,₂",
    "p₂,₁",
    "p₂,₂",
    "p₃,₁",
    "p₃,₂",
    "q₁,₁",
    "q₁,₂",
    "q₁,₃",
    "q₂,₁",
    "q₂,₂",
    "q₂,₃",
]
#: the backward pass's edges (source, consumer, input slot): consumers in reverse
#: topological order, each consumer's inputs in order
BACKWARD_EDGES = [
    ("f", "l", 0),
    ("z2", "f", 0),
    ("Q", "z2", 0),
    ("g", "z2", 1),
    ("z", "g", 0),
    ("P", "z", 0),
]
