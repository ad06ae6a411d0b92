"""A deterministic stand-in for the embedding model, fast enough for every test.

Each word is folded (as the search folds it) and mapped to a *meaning* through a small table of
synonyms and translations, so that "nalokson" and "naloxone", or "full member" and "ordinary
membership", embed alike; each meaning is a fixed random unit vector; a text's vector is the normalised
sum of its meanings' vectors. Texts sharing meanings are close, others nearly orthogonal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from index.analysis import WORD_RE, fold

MEANINGS = {
    "nalokson": "naloxone",
    "naloksona": "naloxone",
    "kucnu": "home",
    "kucna": "home",
    "upotrebu": "use",
    "full": "ordinary",
    "punopravni": "ordinary",
    "clan": "member",
    "clanstvo": "membership",
    "membership": "member",
    "zatvor": "prison",
    "zatvoru": "prison",
    "prisons": "prison",
    "sastanak": "meeting",
    "odbor": "board",
    "odbora": "board",
}
DIM = 384  # as multilingual-e5-small: unrelated texts then score about 0 ± 0.05
IGNORED = frozenset(["the", "a", "an", "of", "in", "on", "to", "for", "and", "is", "was", "what", "who"])


class FakeEmbedder:
    model_id = "fake-meanings-1"
    dim = DIM

    def __init__(self) -> None:
        self.calls = 0  # passages embedded so far
        self.fail = False  # set to make every call raise

    def _vector(self, text: str) -> np.ndarray:
        total = np.zeros(DIM, dtype=np.float32)
        for match in WORD_RE.finditer(text):
            word = fold(match.group())
            if word in IGNORED:
                continue
            meaning = MEANINGS.get(word, word)
            seed = int.from_bytes(hashlib.sha256(meaning.encode()).digest()[:8], "little")
            total += np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total

    def embed_query(self, text: str) -> np.ndarray:
        if self.fail:
            raise RuntimeError("the fake model is broken")
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail:
            raise RuntimeError("the fake model is broken")
        self.calls += len(texts)
        return np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(len(texts), DIM)
