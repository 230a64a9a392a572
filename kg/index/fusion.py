"""Fusing ranked lists: reciprocal rank fusion, with an optional per-passage boost.

>>> reciprocal_rank_fusion([[(1, 9.0), (2, 3.0)], [(2, 0.9), (3, 0.5)]], k=60)[0][0]
2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[int, float]]],
    *,
    k: int = 60,
    weights: Sequence[float] | None = None,
    boosts: Mapping[int, float] | None = None,
) -> list[tuple[int, float]]:
    """Fuse rankings by ``sum(weight / (k + rank))``; add ``boosts``; best first, no duplicates.

    Args:
        rankings: Each a list of (id, score), best first; scores are ignored, ranks count.
        k: Damping constant: larger flattens the contribution of top ranks.
        weights: One weight per ranking (default 1 each).
        boosts: Extra score per id (ids not ranked by any list are added too).
    """
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[int] = set()
        for rank, (item, _) in enumerate(ranking):
            if item in seen:
                continue
            seen.add(item)
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    for item, boost in (boosts or {}).items():
        fused[item] = fused.get(item, 0.0) + boost
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
