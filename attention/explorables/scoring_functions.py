"""The scoring-functions chapter's explorable: masked softmax against d2l's -1e6 fill."""

from __future__ import annotations

from typing import Any

import torch

from attention import style
from attention.explorables.core import (
    Explorable,
    _alt,
    _chart,
    _check_even_grid,
    _check_int,
    _check_seed,
    _data,
    _menu,
    _per_mille,
    _round,
    _slider,
    _spec,
)
from attention.i18n import pick
from attention.masking import masked_softmax

# What attention.explorables lends out: it reads this list without importing the module.
__all__ = [
    "MASK_SCORES",
    "masking_data",
    "masking_explorable",
]

MASK_SCORES = tuple(float(s) for s in range(-4, 13, 2))  # the raised score: -4, -2, ..., 12
MASK_METHODS = ("select", "fill")
D2L_FILL = -1e6  # d2l's masked_softmax fills padded scores with this value


def masking_data(
    n_keys: int = 8, seed: int = 0, scores: tuple[float, ...] = MASK_SCORES
) -> dict[str, Any]:
    """The numbers behind ``masking_explorable``: one query's row of ``n_keys`` seeded random
    scores and values, one of whose scores is raised; the weights of every valid length.

    For every key ``k`` whose score is set to every ``s`` in ``scores``, every valid length
    ``L = 0 .. n_keys`` and both ways of masking: ``"select"``, the package's
    ``masked_softmax`` (padded scores are selected away: weight exactly 0, and a row with no
    key gets all-zero weights), and ``"fill"``, d2l's: padded scores replaced by ``-1e6``
    before an ordinary ``torch.softmax`` (so a row with no key is spread over the padding).

    Returns:
        ``{"keys": [{i, s, v}]`` (the seeded scores and values), ``"rows": [{m, k, s, w, o}]}``
        (``w[L]``: the weights in thousandths at valid length ``L``, as integers;
        ``o[L]``: the output ``sum_i w_i v_i``), rounded to 3 decimals.

    Raises:
        ValueError: ``n_keys`` not an integer in ``[1, 16]``, a bad seed, or ``scores`` not
            evenly spaced increasing numbers in ``[-100, 100]``.
    """
    n_keys = _check_int("n_keys", n_keys, 1, 16)
    generator = torch.Generator().manual_seed(_check_seed("seed", seed))
    grid = _check_even_grid("scores", scores, -100.0, 100.0, most=32)
    base = torch.randn(n_keys, generator=generator)
    values = torch.randn(n_keys, generator=generator)
    lengths = torch.arange(n_keys + 1)  # one batch row per valid length
    keep = torch.arange(n_keys) < lengths[:, None]  # (L, K): True = real key
    rows = []
    for key in range(n_keys):
        for score in grid:
            row = base.clone()
            row[key] = score
            batch = row.expand(len(lengths), 1, n_keys)  # (L, 1, K): one query per length
            for method in MASK_METHODS:
                if method == "select":
                    weights = masked_softmax(batch, lengths)[:, 0]  # (L, K)
                else:
                    weights = torch.softmax(batch[:, 0].masked_fill(~keep, D2L_FILL), dim=-1)
                rows.append(
                    {
                        "m": method,
                        "k": key,
                        "s": score,
                        "w": [_per_mille(w) for w in weights],
                        "o": _round(weights @ values),
                    }
                )
    return {
        "keys": [
            {"i": i, "s": s, "v": v}
            for i, (s, v) in enumerate(zip(_round(base), _round(values), strict=True))
        ],
        "rows": rows,
    }


def masking_explorable(
    n_keys: int = 8, seed: int = 0, scores: tuple[float, ...] = MASK_SCORES
) -> Explorable:
    """Masked softmax to play with: the valid length, which key scores high and how high, and
    the way the padding is masked (selected away, or d2l's ``-1e6`` fill).

    Args:
        n_keys: Length of the row (real keys plus padding).
        seed: Seed of the scores and values.
        scores: Positions of the score slider (evenly spaced).

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = masking_data(n_keys, seed, scores)
    grid = sorted({r["s"] for r in d["rows"]})
    length = _slider("valid_len", n_keys // 2, 0, n_keys, 1, pick("Valid length ", "有效长度 "))
    key = _menu(
        "raised",
        n_keys - 2 if n_keys > 2 else 0,
        list(range(n_keys)),
        [pick(f"key {i}", f"键 {i}") for i in range(n_keys)],
        pick("Key with a raised score ", "调高分数的键 "),
    )
    step = grid[1] - grid[0] if len(grid) > 1 else 1.0
    high = max(grid, key=lambda s: (s <= 10, s))  # 10 if offered: well above the others
    score = _slider("score", high, grid[0], grid[-1], step, pick("Raised score ", "调高后的分数 "))
    method = _menu(
        "method",
        "select",
        list(MASK_METHODS),
        [
            pick("select the padding away (masked_softmax)", "把填充选掉（masked_softmax）"),
            pick("fill it with -1e6 (d2l)", "用 -1e6 填充（d2l）"),
        ],
        pick("Masking ", "掩蔽方式 "),
    )
    row = alt.Chart(_data("rows")).transform_filter(
        "datum.m == method && datum.k == raised && abs(datum.s - score) < 1e-9"
    )
    x = alt.X("i:O", title=pick("key position", "键的位置"), axis=alt.Axis(labelAngle=0))
    padding = (
        alt.Chart(_data("keys"))
        .transform_filter("datum.i >= valid_len")
        .mark_bar(color=style.GREY, opacity=0.15, width={"band": 1})
        .encode(x=x, y=alt.value(0), y2=alt.value(260))
    )
    bars = (
        row.transform_calculate(w="datum.w[valid_len]", i=f"sequence({n_keys})")
        .transform_flatten(["w", "i"])
        .transform_calculate(w="datum.w / 1000")
        .encode(
            x=x,
            y=alt.Y(
                "w:Q", title=pick("attention weight", "注意力权重"), scale=alt.Scale(domain=[0, 1])
            ),
        )
    )
    weights = bars.mark_bar(color=style.WEIGHT, width={"band": 0.5})
    # Exactly zero reads "0": short enough not to overlap on a phone.
    labels = (
        bars.transform_calculate(label="datum.w == 0 ? '0' : format(datum.w, '.2f')")
        .mark_text(dy=-7, fontSize=11)
        .encode(text="label:N")
    )
    lo, hi = min(grid[0], min(k["s"] for k in d["keys"])), max(grid[-1], 1.0)
    score_y = alt.Y(
        "s:Q",
        title=pick("score (diamonds)", "分数（菱形）"),
        scale=alt.Scale(domain=[lo - 1, hi + 1], nice=False),
        axis=alt.Axis(orient="right"),
    )
    diamonds = (
        alt.Chart(_data("keys"))
        .transform_calculate(s="datum.i == raised ? score : datum.s")
        .mark_point(color=style.KEY, filled=True, size=70, shape="diamond")
        .encode(x=x, y=score_y)
    )
    output = (
        row.transform_calculate(
            label=f"'{pick('output Σ w·v = ', '输出 Σ w·v = ')}' + "
            "format(datum.o[valid_len], '.3f')"
        )
        .mark_text(align="left", baseline="bottom", dy=-8, fontSize=13)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [alt.layer(padding, weights, labels, output), diamonds],
        260,
        [length, key, score, method],
        d,
    ).resolve_scale(y="independent")
    return Explorable(
        _spec(chart),
        pick(
            f"Interactive chart: one query's scores over {n_keys} key positions (blue "
            "diamonds) and its attention weights (red bars). A slider sets the valid length; "
            "positions at or past it are shaded as padding. A menu and a second slider raise "
            "one key's score, up to far above all the others; a last menu switches between "
            "selecting the padding away (the package's masked_softmax) and d2l's fill with "
            "-1e6. While one real key is left, a padded key gets weight 0 either way, however "
            "high its score. The two differ at valid length 0: masked_softmax gives all-zero "
            "weights and output 0, "
            "the -1e6 fill spreads the weight evenly over the padding.",
            f"交互图：一个查询在 {n_keys} 个键位置上的分数（蓝色菱形）和注意力权重（红色竖条）。"
            "滑块设置有效长度，从该位置起的键被标为填充（灰色背景）。一个菜单和第二个滑块"
            "调高某个键的分数，可以远远高于其他键；最后一个菜单在“把填充选掉”（本包的 "
            "masked_softmax）和 d2l 的“用 -1e6 填充”之间切换。只要还有一个真实的键，"
            "两种方式下填充位置的键无论分数多高，权重都是 0。它们只在有效长度为 0 时不同："
            "masked_softmax 给出"
            "全 0 的权重和输出 0，而 -1e6 填充把权重平均分给各个填充位置。",
        ),
        "masking",
        pick("Masked softmax over one padded row of scores", "一行带填充的分数上的掩蔽 softmax"),
    )
