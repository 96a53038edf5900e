"""Representative quotes and extractive summaries: typical (near the centroid) and diverse (MMR)."""

from __future__ import annotations

import numpy as np


def mmr(vectors: np.ndarray, centroid: np.ndarray, k: int, diversity: float = 0.5) -> list[int]:
    """Indices of k rows chosen by maximal marginal relevance to the centroid (rows L2-normalised)."""
    if len(vectors) == 0:
        return []
    relevance = vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
    chosen = [int(np.argmax(relevance))]
    best_sim = vectors @ vectors[chosen[0]]
    while len(chosen) < min(k, len(vectors)):
        score = (1 - diversity) * relevance - diversity * best_sim
        score[chosen] = -np.inf
        nxt = int(np.argmax(score))
        chosen.append(nxt)
        best_sim = np.maximum(best_sim, vectors @ vectors[nxt])
    return chosen
