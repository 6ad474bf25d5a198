"""The openness scorecard: 13 dimensions, each graded open, partial or closed with evidence."""

from __future__ import annotations

from enum import Enum

from .base import Cite, ShortText, Strict


class Grade(str, Enum):
    open = "open"
    partial = "partial"
    closed = "closed"
    na = "n/a"

    @property
    def points(self) -> float | None:
        return {"open": 1.0, "partial": 0.5, "closed": 0.0}.get(self.value)


class Cell(Strict):
    """One scorecard judgement with its evidence."""

    grade: Grade
    evidence: ShortText
    cite: Cite


# The 13 dimensions of the project's openness frame, in its order. Their reader-facing
# names are in the label catalogue (`dimension.<key>`).
DIMENSIONS: tuple[str, ...] = (
    "base_weights", "released_weights", "weights_licence", "intermediate_checkpoints",
    "training_code", "inference_code", "architecture", "pretraining_data",
    "posttraining_data", "paper", "model_card", "compute", "access",
)


class Scorecard(Strict):
    base_weights: Cell
    released_weights: Cell
    weights_licence: Cell
    intermediate_checkpoints: Cell
    training_code: Cell
    inference_code: Cell
    architecture: Cell
    pretraining_data: Cell
    posttraining_data: Cell
    paper: Cell
    model_card: Cell
    compute: Cell
    access: Cell

    def cells(self) -> list[tuple[str, Cell]]:
        return [(key, getattr(self, key)) for key in DIMENSIONS]

    def score(self) -> float:
        """Return points over applicable dimensions (n/a leaves the denominator), 0 to 1."""
        points = [c.grade.points for _, c in self.cells() if c.grade.points is not None]
        return sum(points) / len(points) if points else 0.0

    def same_judgement(self) -> tuple:
        """Return what makes two scorecards read the same (grades and evidence)."""
        return tuple((key, c.grade, c.evidence, tuple(c.cite)) for key, c in self.cells())
