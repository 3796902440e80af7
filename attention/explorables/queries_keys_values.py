"""The queries-keys-values chapter's explorable: a query built from features, in "The cat is on
the mat"."""

from __future__ import annotations

import itertools
import json
from typing import Any

import torch

from attention import style
from attention.data import FEATURES, cat_on_mat
from attention.explorables.core import (
    FEATURES_ZH,
    Explorable,
    _alt,
    _chart,
    _check_even_grid,
    _data,
    _round,
    _slider,
    _spec,
    _switch,
)
from attention.i18n import pick
from attention.masking import masked_softmax
from attention.scoring import DotProductAttention

# The positions of each feature's slider: "on"'s hand-made query (0.5, 2, 0, -0.5) is one of them.
# What attention.explorables lends out: it reads this list without importing the module.
__all__ = [
    "QUERY_LEVELS",
    "cat_on_mat_data",
    "cat_on_mat_explorable",
]

QUERY_LEVELS = (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0)


def cat_on_mat_data(levels: tuple[float, ...] = QUERY_LEVELS) -> dict[str, Any]:
    """The numbers behind ``cat_on_mat_explorable``, from ``attention.cat_on_mat``.

    Keys and values are the embeddings ``X`` (6 words, 4 features). Every query ``q`` whose
    four features are each one of ``levels`` (``len(levels) ** 4`` queries) gets its weights
    over the six words twice: ``softmax(X @ q)`` (``masked_softmax`` with no mask) and
    ``softmax(X @ q / sqrt(4))`` (``DotProductAttention``, which scales by ``sqrt(d)``).

    Returns:
        ``{"tokens": [...], "features": [...], "levels": [...], "weights": [{scaled, w}]}``:
        ``w`` holds the six weights, in hundredths as integers, of every query in turn, the
        queries in the order of ``itertools.product(levels, repeat=4)`` (the first feature
        varies slowest).

    Raises:
        ValueError: ``levels`` not 2 to 8 evenly spaced increasing numbers in ``[-4, 4]``.
    """
    grid = _check_even_grid("levels", levels, -4.0, 4.0, most=8)
    if len(grid) < 2:
        raise ValueError(f"levels: expected 2 to 8 numbers, got {list(levels)!r}")
    tokens, X, _ = cat_on_mat()
    queries = torch.tensor(list(itertools.product(grid, repeat=X.shape[1])))  # (n, 4)
    plain = masked_softmax((queries @ X.T)[:, None])[:, 0]  # (n, 6)
    _, scaled = DotProductAttention().attend(
        queries[:, None], X.expand(len(queries), *X.shape), X.expand(len(queries), *X.shape)
    )  # weights (n, 1, 6)
    return {
        "tokens": tokens,
        "features": list(FEATURES),
        "levels": grid,
        "weights": [
            {"scaled": flag, "w": [round(v * 100) for v in _round(w)]}
            for flag, w in ((False, plain), (True, scaled[:, 0]))
        ],
    }


def cat_on_mat_explorable(levels: tuple[float, ...] = QUERY_LEVELS) -> Explorable:
    """Soft lookup in "The cat is on the mat" to play with: build the query from its four
    features with one slider each, and switch the division of the scores by ``sqrt(d)``.

    Args:
        levels: Positions of each feature's slider (evenly spaced, increasing).

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = cat_on_mat_data(levels)
    tokens, grid = d["tokens"], d["levels"]
    names = [pick(f, FEATURES_ZH[f]) for f in d["features"]]
    on = (0.5, 2.0, 0.0, -0.5)  # the chapter's query of "on": where is the surface?
    step = grid[1] - grid[0]
    sliders = [
        _slider(
            f"f{j}",
            on[j] if on[j] in grid else grid[0],
            grid[0],
            grid[-1],
            step,
            pick(f"q: {name} ", f"q：{name} "),
        )
        for j, name in enumerate(names)
    ]
    scaled = _switch("scaled", False, pick("Divide the scores by √d = 2 ", "分数除以 √d = 2 "))
    n = len(grid)
    index = "0"
    for j in range(len(names)):  # the row of this query in itertools.product(levels, ...)
        index = f"({index}) * {n} + round((f{j} - {grid[0]}) / {step})"
    words = json.dumps(tokens)
    rows = (
        alt.Chart(_data("weights"))
        .transform_filter("datum.scaled == scaled")
        .transform_calculate(w=f"slice(datum.w, 6 * ({index}), 6 * ({index}) + 6)", i="sequence(6)")
        .transform_flatten(["w", "i"])
        .transform_calculate(w="datum.w / 100")
    )
    x = alt.X(
        "i:O",
        title=None,
        axis=alt.Axis(labelAngle=0, labelExpr=f"{words}[datum.value]", labelFontSize=13),
    )
    y = alt.Y("w:Q", title=pick("attention weight", "注意力权重"), scale=alt.Scale(domain=[0, 1]))
    bars = rows.mark_bar(color=style.WEIGHT, width={"band": 0.6}).encode(x=x, y=y)
    labels = rows.mark_text(dy=-7, fontSize=11).encode(x=x, y=y, text=alt.Text("w:Q", format=".2f"))
    query = ", ".join(f"' + format(f{j}, '.1f') + '" for j in range(len(names)))
    text = (
        alt.Chart(_data("one"))
        .transform_calculate(
            label=(f"'q = ({query})  ·  ' + (scaled ? 'softmax(X q / 2)' : 'softmax(X q)')")
        )
        .mark_text(align="left", baseline="bottom", dy=-8, fontSize=12)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [bars, labels, text],
        240,
        [*sliders, scaled],
        {"weights": d["weights"], "one": [{}]},
    )
    return Explorable(
        _spec(chart),
        pick(
            "Interactive chart: attention weights (red bars) over the six words of “The cat "
            "is on the mat”, whose keys are their embeddings. Four sliders build the query "
            f"from the features {', '.join(names)}, each from {grid[0]:g} to {grid[-1]:g}; "
            "they start at the hand-made query of “on”, (0.5, 2, 0, -0.5), which asks for a "
            "place and puts most weight on “mat”. Raise “animal” alone to ask “who?” and the "
            "weight moves to “cat”. A switch divides the scores by √d = 2, which makes the "
            "weights softer.",
            "交互图：“The cat is on the mat”六个词上的注意力权重（红色竖条），键就是它们的"
            f"嵌入。四个滑块用{'、'.join(names)}四个特征搭出查询，每个从 {grid[0]:g} "
            f"到 {grid[-1]:g}；初始值是“on”的手工查询 (0.5, 2, 0, -0.5)，它寻找地点，把大部分"
            "权重放在“mat”上。只调高“动物”就是在问“是谁”，权重随之移到“cat”上。开关把分数"
            "除以 √d = 2，权重因此变得更平缓。",
        ),
        "cat-on-mat",
        pick("Attention weights of a query built from features", "由特征搭出的查询的注意力权重"),
    )
