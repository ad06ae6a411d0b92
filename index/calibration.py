"""Calibration: how close in meaning is "close", the same for nine posts or ten thousand.

Cosines from e5 sit in a narrow band (0.75–0.92) whose level depends on the question: its length, its
language, how generic it is. So closeness is measured as `z`: how many standard deviations a passage's
cosine lies above the cosines of a fixed set of reference passages to the same question. The reference
is 249 passages of news of the same field, written in our own words (`reference.txt`, every third passage
of the evaluation posts). Their vectors for the default model ship beside it (`reference-<model>.npz`,
made with the text by `bench/fusion_fit.py --write-reference`); another model embeds them once and keeps
them with the posts' vectors. Because the reference never changes, a `z` — and so the thresholds of
`index.fusion`, fitted on the evaluation — means the same in any deployment, whatever the size of its
archive.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from index.vectorstore import PostVectors


@cache
def reference_texts() -> tuple[str, ...]:
    text = resources.files("index").joinpath("reference.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line.strip() and not line.startswith("#"))


def reference_key() -> str:
    """The reference's key in the vector store (changes with its text)."""
    digest = hashlib.sha256("\n".join(reference_texts()).encode("utf-8")).hexdigest()
    return f"reference:{digest[:16]}"


def shipped_vectors(model_id: str) -> PostVectors | None:
    """The reference's vectors for `model_id` as shipped with the package, if they match its text."""
    resource = resources.files("index").joinpath(f"reference-{model_id}.npz")
    if not resource.is_file():
        return None
    with resource.open("rb") as f, np.load(f) as data:
        if str(data["key"]) != reference_key():
            return None
        return PostVectors((None,) * len(data["scales"]), data["codes"].copy(), data["scales"].copy())


def write_shipped_vectors(model_id: str, vectors: PostVectors, folder: Path) -> Path:
    """Save the reference's vectors for `model_id` to ship with the package (`bench/fusion_fit.py`)."""
    path = folder / f"reference-{model_id}.npz"
    np.savez_compressed(path, key=np.array(reference_key()), codes=vectors.codes, scales=vectors.scales)
    return path


class Calibration:
    """The reference passages' vectors, and the level and spread of their closeness to a question."""

    def __init__(self, vectors: PostVectors) -> None:
        self._codes = vectors.codes.astype(np.float32)
        self._scales = vectors.scales

    def level(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the reference passages' cosines to the question vector."""
        cosines = (self._codes @ np.asarray(query, dtype=np.float32)) * self._scales
        return float(cosines.mean()), float(cosines.std()) or 1.0
