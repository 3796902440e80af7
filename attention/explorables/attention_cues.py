"""The attention-cues chapter's explorable: max pooling against attention pooling on a row."""

from __future__ import annotations

from typing import Any

import torch

from attention import style
from attention._checks import brief
from attention.explorables.core import (
    DIGITS,
    Explorable,
    _alt,
    _chart,
    _check_grid,
    _data,
    _menu,
    _round,
    _slider,
    _spec,
)
from attention.i18n import pick
from attention.pooling import nadaraya_watson

# What attention.explorables lends out: it reads this list without importing the module.
__all__ = [
    "POOL_WIDTHS",
    "attention_pooling_data",
    "attention_pooling_explorable",
]

POOL_WIDTHS = (0.25, 0.5, 1.0, 2.0)
MAX_VALUE = 1e6  # brightness bound: sums of 16 such values stay far from float32's overflow


def attention_pooling_data(
    values: torch.Tensor | list[float], widths: tuple[float, ...] = POOL_WIDTHS
) -> dict[str, Any]:
    """The numbers behind ``attention_pooling_explorable``, from ``attention.nadaraya_watson``.

    The keys are the positions ``0 .. m-1`` of ``values`` (a row of pixels); the queries run
    from 0 to ``m - 1`` in steps of 0.1.

    Returns:
        ``{"values": [{i, v}], "max": max(values), "rows": [{q, h, w, o}]}`` (``w``: the
        weights of query ``q`` at width ``h`` over the keys, ``o``: its output), rounded to
        ``DIGITS`` decimals.

    Raises:
        ValueError: ``values`` not 1-D with 2 to 16 numbers in ``[-1e6, 1e6]``, or a width
            not in ``[0.01, 100]``.
    """
    try:
        row = torch.as_tensor(values, dtype=torch.float64).detach().cpu()
    except (TypeError, ValueError, RuntimeError, OverflowError):
        row = torch.empty(0)
    if (
        row.ndim != 1
        or not 2 <= row.numel() <= 16
        or not torch.isfinite(row).all()
        or row.abs().max() > MAX_VALUE
    ):
        raise ValueError(
            f"values: expected 2 to 16 numbers in [-1e6, 1e6] in a row, got {brief(values)}"
        )
    row = row.float()
    grid = _check_grid("widths", widths, 0.01, 100.0, most=8)
    keys = torch.arange(row.numel(), dtype=torch.float32)
    queries = torch.arange(0, 10 * (row.numel() - 1) + 1) / 10  # 0, 0.1, ..., m - 1
    rows = []
    for width in grid:
        outputs, weights = nadaraya_watson(queries, keys, row, width=width)
        rows += [
            {"q": q, "h": width, "w": _round(w), "o": o}
            for q, w, o in zip(_round(queries), weights, _round(outputs), strict=True)
        ]
    return {
        "values": [{"i": i, "v": v} for i, v in enumerate(_round(row))],
        "max": round(row.max().item(), DIGITS),
        "rows": rows,
    }


def attention_pooling_explorable(
    values: torch.Tensor | list[float], widths: tuple[float, ...] = POOL_WIDTHS
) -> Explorable:
    """Max pooling against attention pooling over a row of pixels: a query slider and a width.

    Args:
        values: The row's values (brightness), one per position; its positions are the keys.
        widths: Kernel widths offered in the menu, each in ``[0.01, 100]``.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = attention_pooling_data(values, widths)
    grid = sorted({r["h"] for r in d["rows"]})
    m = len(d["values"])
    query = _slider("query", 0.0, 0, m - 1, 0.1, pick("Query position q ", "查询位置 q "))
    # Not "width": Vega's name for the chart's width.
    width = _menu(
        "bandwidth",
        0.5 if 0.5 in grid else grid[0],
        grid,
        [f"{h:g}" for h in grid],
        pick("Width ", "宽度 "),
    )
    chosen = "datum.h == bandwidth && abs(datum.q - query) < 0.01"
    low = min(0.0, min(v["v"] for v in d["values"]))
    top = max(d["max"], 1.0) * 1.1
    x = alt.X(
        "x:Q",
        title=pick("key: pixel position", "键：像素位置"),
        scale=alt.Scale(domain=[-0.5, m - 0.5], nice=False),
        axis=alt.Axis(values=list(range(m)), format="d"),
    )
    y_scale = alt.Scale(domain=[low, top])
    value_y = alt.Y("v:Q", title=pick("value: brightness", "值：亮度"), scale=y_scale)
    pixels = (
        alt.Chart(_data("values"))
        .transform_calculate(x="datum.i - 0.3", x2="datum.i + 0.3")
        .mark_rect(color=style.VALUE, opacity=0.35)
        .encode(x=x, x2="x2:Q", y=value_y, y2=alt.datum(0))
    )
    selected = alt.Chart(_data("rows")).transform_filter(chosen)
    output = selected.mark_rule(color=style.QUERY, strokeWidth=2.5).encode(
        y=alt.Y("o:Q", scale=y_scale)
    )
    maximum = (
        alt.Chart(_data("one"))
        .transform_calculate(v=str(d["max"]))
        .mark_rule(color=style.GREY, strokeDash=[5, 4])
        .encode(y=alt.Y("v:Q", scale=y_scale))
    )
    rule = (
        alt.Chart(_data("one"))
        .transform_calculate(x="query")
        .mark_rule(color=style.QUERY, strokeDash=[2, 2])
        .encode(x=x)
    )
    # The two outputs are read above the plot, where no line or bar can run through them.
    label = (
        selected.transform_calculate(
            text=(
                f"'{pick('attention pooling', '注意力汇聚')} ' + format(datum.o, '.2f') + "
                f"'  ·  {pick('max pooling', '最大汇聚')} {d['max']:g}'"
            )
        )
        .mark_text(align="left", baseline="bottom", dy=-8, fontSize=12)
        .encode(x=alt.value(0), y=alt.value(0), text="text:N")
    )
    weights = (
        selected.transform_calculate(x=f"sequence({m})")
        .transform_flatten(["w", "x"])
        .transform_calculate(x1="datum.x - 0.1", x2="datum.x + 0.1")
        .mark_rect(color=style.WEIGHT)
        .encode(
            x=alt.X("x1:Q", scale=alt.Scale(domain=[-0.5, m - 0.5], nice=False)),
            x2="x2:Q",
            y=alt.Y(
                "w:Q",
                title=pick("attention weight", "注意力权重"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(orient="right"),
            ),
            y2=alt.datum(0),
        )
    )
    chart = _chart(
        [alt.layer(pixels, maximum, output, rule, label), weights],
        240,
        [query, width],
        {"values": d["values"], "rows": d["rows"], "one": [{}]},
    ).resolve_scale(y="independent")
    return Explorable(
        _spec(chart),
        pick(
            f"Interactive chart: a row of {m} pixels, whose positions are the keys and whose "
            "brightness (green bars) are the values. A slider moves the query q along the row "
            "and a menu sets the kernel width. Red bars are the query's attention weights; the "
            "orange line is attention pooling's output, the dashed grey line max pooling's, "
            "which stays the same whatever the query. Both outputs are printed above the plot.",
            f"交互图：一行 {m} 个像素，位置是键，亮度（绿色竖条）是值。滑块沿这一行移动查询 q，"
            "菜单设置核的宽度。红色竖条是该查询的注意力权重；橙色横线是注意力汇聚的输出，"
            "灰色虚线是最大汇聚的输出，它与查询无关，始终不变。两个输出的数值写在图的上方。",
        ),
        "attention-pooling",
        pick(
            "Max pooling and attention pooling over a row of pixels",
            "一行像素上的最大汇聚与注意力汇聚",
        ),
    )
