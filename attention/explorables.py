"""Explorables: charts a reader can play with, computed by this package at build time.

Each function here runs the package's own code for every value of a small grid of slider
settings and returns an ``Explorable``: a Vega-Lite chart (written with Altair) whose sliders and
menus only *select* among those precomputed results, so what the reader plays with is what the
tests check. Nothing is recomputed in JavaScript.

An ``Explorable`` displays as

* ``application/vnd.vegalite.v6+json`` in Jupyter, which draws the chart itself;
* on the site, a ``.attn-explorable`` figure built from that output and its metadata (name,
  description): a still of the chart's first state (drawn without JavaScript and in print),
  which ``docs/assets/javascripts/explorables.js`` replaces with the live chart, drawn by the
  vega scripts the site ships (loaded only on pages that have an explorable).

Labels, titles and descriptions follow ``attention.i18n.get_language()``. Altair is imported on
first use, so ``import attention`` does not need it.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import torch

from attention import style
from attention.data import cat_on_mat, toy_regression_data
from attention.i18n import get_language, pick
from attention.masking import masked_softmax
from attention.pooling import KERNELS, nadaraya_watson
from attention.positional import PositionalEncoding

MIME_VEGALITE = "application/vnd.vegalite.v6+json"
DIGITS = 3  # every number in a chart is rounded to 3 decimals: enough to draw, small to ship


class Explorable:
    """A Vega-Lite chart with controls and a text description, shown on the site and in Jupyter.

    Args:
        spec: The Vega-Lite specification (a JSON-able dict).
        description: What the chart shows and what its controls do, for screen readers.
        name: A short identifier (``"nadaraya-watson"``), used as the container's id.
    """

    def __init__(self, spec: dict[str, Any], description: str, name: str) -> None:
        self.spec = spec
        self.description = description
        self.name = name

    def to_json(self) -> str:
        """The spec as compact JSON with sorted keys: the same bytes on every build."""
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        """The Vega-Lite chart, which Jupyter draws itself, and its description as text; the
        metadata names the explorable and its description, from which the site writes the spec
        and a still of its first state to files and builds the figure that
        ``explorables.js`` draws (attention_site/notebooks/figures.py)."""
        data = {MIME_VEGALITE: json.loads(self.to_json()), "text/plain": self.description}
        about = {"name": self.name, "description": self.description, "lang": get_language()}
        return data, {MIME_VEGALITE: {"attention": about}}

    def __repr__(self) -> str:
        return f"Explorable({self.name!r}, {len(self.to_json())} bytes)"


# --------------------------------------------------------------------------- helpers
def _alt() -> Any:
    import altair

    return altair


def _round(values: torch.Tensor | list[float]) -> list[float]:
    """Plain floats rounded to ``DIGITS`` decimals; -0.0 becomes 0 (same JSON every build)."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().flatten().tolist()
    return [round(v, DIGITS) + 0.0 for v in values]


def _short(value: Any) -> str:
    """``repr(value)``, cut to 80 characters: error messages stay short for any input."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_grid(name: str, values: Any, low: float, high: float | None = None) -> list[float]:
    """A non-empty list of finite numbers in ``[low, high]``, else ValueError naming ``name``."""
    try:
        grid = [float(v) for v in values]
    except (TypeError, ValueError):
        grid = []
    ok = grid and all(math.isfinite(v) and v >= low and (high is None or v <= high) for v in grid)
    if not ok:
        bound = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(
            f"{name}: expected a non-empty sequence of numbers {bound}, got {_short(values)}"
        )
    return grid


def _chart(layers: list[Any], height: int, params: list[Any], data: dict[str, Any]) -> Any:
    """One layered chart as wide as the page, its tables stored once under their names
    (``alt.Data(name=...)`` in a layer refers to them) however many layers read them."""
    alt = _alt()
    return (
        alt.layer(*layers)
        .add_params(*params)
        .properties(width="container", height=height, datasets=data)
        .configure_view(stroke=None)
    )


def _slider(name: str, value: float, low: float, high: float, step: float, label: str) -> Any:
    """A parameter bound to a labelled range input (a real <input type=range>)."""
    alt = _alt()
    bind = alt.binding_range(min=low, max=high, step=step, name=label)
    return alt.param(name=name, value=value, bind=bind)


def _data(name: str) -> Any:
    return _alt().Data(name=name)


def _spec(chart: Any) -> dict[str, Any]:
    return chart.to_dict()


# --------------------------------------------------------------------------- Nadaraya-Watson
NW_WIDTHS = (0.1, 0.3, 1.0, 2.0)
NW_KERNELS = ("gaussian", "boxcar", "epanechnikov")
KERNELS_ZH = {
    "gaussian": "高斯核",
    "boxcar": "矩形核",
    "epanechnikov": "Epanechnikov 核",
    "triangular": "三角核",
    "constant": "常数核",
}


def nadaraya_watson_data(
    kernels: tuple[str, ...] = NW_KERNELS, widths: tuple[float, ...] = NW_WIDTHS, seed: int = 0
) -> dict[str, list[dict[str, Any]]]:
    """The numbers behind ``nadaraya_watson_explorable``, from ``attention.nadaraya_watson``.

    The chapter's toy data (50 noisy training points, 50 test queries ``0, 0.1, ..., 4.9``);
    every second test query (``0, 0.2, ..., 4.8``) is a position of the query slider.

    Returns:
        ``{"points": [{x, y}] (50 training pairs), "truth": [{x, y}] (50),
        "fits": [{k, h, y}] (y: the fitted curve at the 50 test inputs, per kernel and width),
        "weights": [{k, h, q, w}] (w: the 50 weights of query q over the sorted keys, in
        thousandths, as integers: the largest part of the data, so the smallest form)},
        "mse": [{k, h, mse}]}``, all rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: An unknown kernel or a width that is not a positive number.
    """
    if not kernels or any(k not in KERNELS for k in kernels):
        raise ValueError(f"kernels: expected names from {list(KERNELS)}, got {_short(kernels)}")
    grid = _check_grid("widths", widths, 0.0)
    if 0.0 in grid:
        raise ValueError(f"widths: expected positive numbers, got {_short(widths)}")
    data = toy_regression_data(n_train=50, noise=0.5, seed=seed)
    x_train, y_train, x_test, y_truth = data
    queries = x_test[::2]  # 25 slider positions
    out: dict[str, list[dict[str, Any]]] = {
        "points": [{"x": x, "y": y} for x, y in zip(_round(x_train), _round(y_train), strict=True)],
        "truth": [{"x": x, "y": y} for x, y in zip(_round(x_test), _round(y_truth), strict=True)],
        "fits": [],
        "weights": [],
        "mse": [],
    }
    for kernel in kernels:
        for width in grid:
            y_hat, _ = nadaraya_watson(x_test, x_train, y_train, kernel=kernel, width=width)
            _, w = nadaraya_watson(queries, x_train, y_train, kernel=kernel, width=width)
            mse = ((y_hat - y_truth) ** 2).mean().item()
            out["mse"].append({"k": kernel, "h": width, "mse": round(mse, DIGITS)})
            out["fits"].append({"k": kernel, "h": width, "y": _round(y_hat)})
            out["weights"] += [
                {"k": kernel, "h": width, "q": q, "w": (row * 1000).round().int().tolist()}
                for q, row in zip(_round(queries), w, strict=True)
            ]
    return out


def nadaraya_watson_explorable(
    kernels: tuple[str, ...] = NW_KERNELS, widths: tuple[float, ...] = NW_WIDTHS, seed: int = 0
) -> Explorable:
    """Nadaraya-Watson pooling to play with: a query slider, a kernel and a width menu.

    Shows the training points, the true curve, the fitted curve of the chosen kernel and width
    with its test MSE, and the chosen query's attention weights as bars over the keys.

    Args:
        kernels: Kernel names offered in the menu (from ``KERNELS``).
        widths: Kernel widths offered in the menu, each ``> 0``.
        seed: Seed of the toy data.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = nadaraya_watson_data(kernels, widths, seed)
    keys = json.dumps([p["x"] for p in d["points"]])
    inputs = json.dumps([p["x"] for p in d["truth"]])
    query = _slider("query", 2.4, 0, 4.8, 0.2, pick("Query x ", "查询 x "))
    kernel = alt.param(
        name="kernel",
        value=kernels[0],
        bind=alt.binding_select(
            options=list(kernels),
            labels=[pick(k, KERNELS_ZH.get(k, k)) for k in kernels],
            name=pick("Kernel ", "核 "),
        ),
    )
    # Not "width": Vega reserves that signal name for the chart's width.
    width = alt.param(
        name="bandwidth",
        value=0.3 if 0.3 in widths else widths[0],
        bind=alt.binding_select(options=list(widths), name=pick("Width h ", "宽度 h ")),
    )
    chosen = "datum.k == kernel && datum.h == bandwidth"
    x = alt.X(
        "x:Q",
        title=pick("x (keys and queries)", "x（键与查询）"),
        scale=alt.Scale(domain=[0, 5], nice=False),
    )
    y = alt.Y("y:Q", title=pick("y (values)", "y（值）"), scale=alt.Scale(domain=[-1.5, 5.5]))
    weights = (
        alt.Chart(_data("weights"))
        .transform_filter(f"{chosen} && abs(datum.q - query) < 0.01")
        .transform_calculate(x=keys)
        .transform_flatten(["w", "x"])
        .transform_calculate(w="datum.w / 1000")
        .mark_bar(color=style.WEIGHT, opacity=0.55, width=3)
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[0, 5], nice=False)),
            y=alt.Y(
                "w:Q",
                title=pick("attention weight of the query", "该查询的注意力权重"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(orient="right"),
            ),
        )
    )
    points = (
        alt.Chart(_data("points"))
        .mark_circle(color=style.KEY, size=18, opacity=0.7)
        .encode(x=x, y=y)
    )
    truth = (
        alt.Chart(_data("truth")).mark_line(color=style.GREY, strokeDash=[4, 3]).encode(x=x, y=y)
    )
    fits = (
        alt.Chart(_data("fits"))
        .transform_filter(chosen)
        .transform_calculate(x=inputs)
        .transform_flatten(["y", "x"])
    )
    fit = fits.mark_line(color=style.VALUE, strokeWidth=2.5).encode(x=x, y=y)
    rule = (
        alt.Chart(_data("one"))
        .transform_calculate(x="query")
        .mark_rule(color=style.QUERY, strokeWidth=2)
        .encode(x="x:Q")
    )
    at_query = (
        fits.transform_filter("abs(datum.x - query) < 0.01")
        .mark_point(color=style.QUERY, filled=True, size=90, shape="diamond")
        .encode(x=x, y=y)
    )
    mse = (
        alt.Chart(_data("mse"))
        .transform_filter(chosen)
        .transform_calculate(
            label=f"'{pick('test MSE ', '测试均方误差 ')}' + format(datum.mse, '.3f')"
        )
        .mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=13)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [alt.layer(points, truth, fit, rule, at_query, mse), weights],
        300,
        [query, kernel, width],
        {**d, "one": [{}]},
    ).resolve_scale(y="independent")
    return Explorable(
        _spec(chart),
        pick(
            "Interactive chart: Nadaraya-Watson regression on the 50 training points. "
            "A slider moves the query x from 0 to 4.8; menus choose the kernel and its width h. "
            "Red bars show the query's attention weights over the keys, the green curve the "
            "prediction at every x, the dashed grey curve the truth; the test MSE is printed. "
            "Narrow widths put the weight on a few keys and give a wiggly curve; wide ones "
            "spread it and flatten the curve.",
            "交互图：在 50 个训练点上做 Nadaraya-Watson 回归。滑块把查询 x 从 0 移到 4.8；"
            "菜单选择核函数及其宽度 h。红色竖条是该查询在各个键上的注意力权重，"
            "绿色曲线是每个 x 处的预测，灰色虚线是真实函数，并显示测试均方误差。"
            "宽度小时权重集中在少数几个键上，曲线抖动；"
            "宽度大时权重分散，曲线变平。",
        ),
        "nadaraya-watson",
    )


# --------------------------------------------------------------------------- masking
def masking_data(n_keys: int = 8, seed: int = 0) -> dict[str, list[dict[str, Any]]]:
    """The numbers behind ``masking_explorable``, from ``attention.masked_softmax``.

    One query's row of ``n_keys`` seeded random scores and values; for every valid length
    ``L = 0 .. n_keys`` the masked weights and the output ``sum_i w_i v_i``.

    Returns:
        ``{"keys": [{i, s, v}] (position, score, value), "weights": [{L, i, w}],
        "outputs": [{L, o}]}``, rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: ``n_keys`` not an integer in ``[1, 64]``.
    """
    if isinstance(n_keys, bool) or not isinstance(n_keys, int) or not 1 <= n_keys <= 64:
        raise ValueError(f"n_keys: expected an integer in [1, 64], got {_short(n_keys)}")
    generator = torch.Generator().manual_seed(seed)
    scores = torch.randn(1, 1, n_keys, generator=generator)  # (batch, n_queries, n_keys)
    values = torch.randn(n_keys, generator=generator)
    lengths = list(range(n_keys + 1))
    # One batch row per valid length: the same scores, masked at every length at once.
    weights = masked_softmax(scores.expand(len(lengths), 1, n_keys), lengths)[:, 0]  # (L, K)
    outputs = weights @ values  # (L,)
    return {
        "keys": [
            {"i": i, "s": s, "v": v}
            for i, (s, v) in enumerate(zip(_round(scores), _round(values), strict=True))
        ],
        "weights": [
            {"L": length, "i": i, "w": w}
            for length, row in zip(lengths, weights, strict=True)
            for i, w in enumerate(_round(row))
        ],
        "outputs": [
            {"L": length, "o": o} for length, o in zip(lengths, _round(outputs), strict=True)
        ],
    }


def masking_explorable(n_keys: int = 8, seed: int = 0) -> Explorable:
    """Masked softmax to play with: a valid-length slider over one padded row of scores.

    Args:
        n_keys: Length of the row (real keys plus padding).
        seed: Seed of the scores and values.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = masking_data(n_keys, seed)
    length = _slider("valid_len", n_keys // 2, 0, n_keys, 1, pick("Valid length ", "有效长度 "))
    x = alt.X("i:O", title=pick("key position", "键的位置"), axis=alt.Axis(labelAngle=0))
    padding = (
        alt.Chart(_data("keys"))
        .transform_filter("datum.i >= valid_len")
        .mark_bar(color=style.GREY, opacity=0.15, width={"band": 1})
        .encode(x=x, y=alt.value(0), y2=alt.value(260))
    )
    bars = (
        alt.Chart(_data("weights"))
        .transform_filter("datum.L == valid_len")
        .encode(
            x=x,
            y=alt.Y(
                "w:Q", title=pick("attention weight", "注意力权重"), scale=alt.Scale(domain=[0, 1])
            ),
        )
    )
    weights = bars.mark_bar(color=style.WEIGHT, width={"band": 0.5})
    # Padding reads "0": exactly zero, and short enough not to overlap on a phone.
    labels = (
        bars.transform_calculate(label="datum.i < valid_len ? format(datum.w, '.2f') : '0'")
        .mark_text(dy=-7, fontSize=11)
        .encode(text="label:N")
    )
    scores = (
        alt.Chart(_data("keys"))
        .mark_point(color=style.KEY, filled=True, size=70, shape="diamond")
        .encode(
            x=x,
            y=alt.Y(
                "s:Q", title=pick("score (diamonds)", "分数（菱形）"), axis=alt.Axis(orient="right")
            ),
        )
    )
    output = (
        alt.Chart(_data("outputs"))
        .transform_filter("datum.L == valid_len")
        .transform_calculate(
            label=f"'{pick('output Σ w·v = ', '输出 Σ w·v = ')}' + format(datum.o, '.3f')"
        )
        .mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=13)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [alt.layer(padding, weights, labels, output), scores], 260, [length], d
    ).resolve_scale(y="independent")
    return Explorable(
        _spec(chart),
        pick(
            f"Interactive chart: one query's scores over {n_keys} key positions (blue "
            "diamonds) and its masked softmax weights (red bars). A slider sets the valid length "
            "from 0 to the row length; positions at or past it are shaded as padding and get "
            "weight exactly 0 whatever their score, and the output is the weighted sum of the "
            "values. At valid length 0 every weight and the output are 0.",
            f"交互图：一个查询在 {n_keys} 个键位置上的分数（蓝色菱形）"
            "和掩蔽 softmax 权重（红色竖条）。滑块设置有效长度，从 0 到整行长度；"
            "从该位置起的键被标为填充（灰色背景），无论分数多高，"
            "权重都恰好为 0；输出是值的加权和。有效长度为 0 时，所有权重和输出都是 0。",
        ),
        "masking",
    )


# --------------------------------------------------------------------------- cat on the mat
def _feature_terms(features: str, start: int, stop: int) -> str:
    """A Vega expression: "name value, name value" for features ``start:stop`` of ``datum.o``."""
    return " + ', ' + ".join(
        f"{features}[{j}] + ' ' + format(datum.o[{j}], '.2f')" for j in range(start, stop)
    )


FEATURES_ZH = {
    "object": "物体",
    "place/surface": "地点/表面",
    "animal": "动物",
    "function word": "虚词",
}
CAT_SCALES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)


def cat_on_mat_data(scales: tuple[float, ...] = CAT_SCALES) -> dict[str, Any]:
    """The numbers behind ``cat_on_mat_explorable``, from ``attention.cat_on_mat``.

    Queries: the hand-made query of "on" (``"q_on"``) and each word's own embedding (query
    ``"0"`` .. ``"5"``: the word attends with its own features, as in self-attention). Keys and
    values are the embeddings; the weights are the softmax of ``scale * (X @ q)``.

    Returns:
        ``{"tokens": [...], "features": [...], "weights": [{q, t, i, w}],
        "outputs": [{q, t, o}]}`` (``t``: the scale; ``o``: the 4 features of the output),
        rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: ``scales`` empty or holding a negative or non-finite number.
    """
    from attention.data import FEATURES

    grid = _check_grid("scales", scales, 0.0)
    tokens, X, q_on = cat_on_mat()
    queries = {"q_on": q_on, **{str(i): X[i] for i in range(len(tokens))}}
    out: dict[str, Any] = {
        "tokens": tokens,
        "features": list(FEATURES),
        "weights": [],
        "outputs": [],
    }
    for name, q in queries.items():
        for scale in grid:
            scores = (X @ q) * scale  # (6,)
            w = masked_softmax(scores[None, None])[0, 0]  # (6,): a softmax over the words
            out["weights"] += [
                {"q": name, "t": scale, "i": i, "w": v} for i, v in enumerate(_round(w))
            ]
            out["outputs"].append({"q": name, "t": scale, "o": _round(w @ X)})
    return out


def cat_on_mat_explorable(scales: tuple[float, ...] = CAT_SCALES) -> Explorable:
    """Soft lookup in "The cat is on the mat" to play with: pick the query and its sharpness.

    Args:
        scales: Values of the sharpness slider, a factor on every score (0: uniform weights),
            evenly spaced and increasing.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = cat_on_mat_data(scales)
    tokens = d["tokens"]
    grid = _check_grid("scales", scales, 0.0)
    steps = [b - a for a, b in itertools.pairwise(grid)]
    if any(abs(step - steps[0]) > 1e-9 or step <= 0 for step in steps):
        raise ValueError(f"scales: expected evenly spaced increasing numbers, got {_short(scales)}")
    options = ["q_on", *[str(i) for i in range(len(tokens))]]
    option_labels = [
        pick("“on”: the hand-made query", "“on”：手工设计的查询"),
        *[pick(f"“{t}”: its own embedding", f"“{t}”：它自己的嵌入") for t in tokens],
    ]
    query = alt.param(
        name="query",
        value="q_on",
        bind=alt.binding_select(
            options=options, labels=option_labels, name=pick("Query ", "查询 ")
        ),
    )
    step = grid[1] - grid[0] if len(grid) > 1 else 1.0
    label = pick("Sharpness (score factor) ", "锐度（分数系数）")
    start = 1.0 if 1.0 in grid else grid[0]
    sharpness = _slider("sharpness", start, grid[0], grid[-1], step, label)

    chosen = "abs(datum.t - sharpness) < 1e-6"
    words = "[" + ",".join(json.dumps(t) for t in tokens) + "]"
    rows = alt.Chart(_data("weights")).transform_filter(f"datum.q == query && {chosen}")
    x = alt.X(
        "i:O",
        title=None,
        axis=alt.Axis(labelAngle=0, labelExpr=f"{words}[datum.value]", labelFontSize=13),
    )
    y = alt.Y("w:Q", title=pick("attention weight", "注意力权重"), scale=alt.Scale(domain=[0, 1]))
    bars = rows.mark_bar(color=style.WEIGHT, width={"band": 0.6}).encode(x=x, y=y)
    labels = rows.mark_text(dy=-7, fontSize=11).encode(x=x, y=y, text=alt.Text("w:Q", format=".2f"))
    features = json.dumps([pick(f, FEATURES_ZH[f]) for f in d["features"]], ensure_ascii=False)
    text = (
        alt.Chart(_data("outputs"))
        .transform_filter(f"datum.q == query && {chosen}")
        .transform_calculate(
            # A list of strings draws as lines: the text fits a phone's width.
            label=(
                f"['{pick('output:', '输出：')}', {_feature_terms(features, 0, 2)}, "
                f"{_feature_terms(features, 2, 4)}]"
            )
        )
        .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=12, lineHeight=16)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [bars, labels, text],
        260,
        [query, sharpness],
        {"weights": d["weights"], "outputs": d["outputs"]},
    )
    return Explorable(
        _spec(chart),
        pick(
            "Interactive chart: attention weights over the six words of “The cat is on the "
            "mat” (red bars) and the output, the weighted mix of the words' four features. A "
            "menu picks the query: the hand-made query of “on”, which asks for a place and "
            "puts most weight on “mat”, or a word's own embedding. A slider multiplies every "
            "score by a sharpness factor: 0 gives equal weights, larger factors move towards "
            "a hard lookup of the best-matching word.",
            "交互图：“The cat is on the mat”六个词上的注意力权重（红色竖条），以及输出，即这些词"
            "四个特征的加权混合。菜单选择查询：“on”的手工查询（它寻找地点，把大部分权重放在"
            "“mat”上），或某个词自己的嵌入。滑块把每个分数乘以一个锐度系数：0 给出相等的权重，"
            "系数越大越接近只取最匹配词的硬查找。",
        ),
        "cat-on-mat",
    )


# --------------------------------------------------------------------------- positional encoding
def positional_encoding_data(num_hiddens: int = 32, max_len: int = 64) -> dict[str, Any]:
    """The numbers behind ``positional_encoding_explorable``, from ``PositionalEncoding``.

    Returns:
        ``{"pairs": [{j, omega, sin, cos}]}``: for each column pair ``j``, its frequency and
        its sine column ``P[:, 2j]`` and cosine column ``P[:, 2j+1]`` over ``max_len``
        positions, rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: ``num_hiddens`` odd or not in ``[2, 512]``, ``max_len`` not in ``[2, 1000]``.
    """
    for name, value, low, high in (
        ("num_hiddens", num_hiddens, 2, 512),
        ("max_len", max_len, 2, 1000),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}: expected an integer in [{low}, {high}], got {_short(value)}")
    if num_hiddens % 2:
        raise ValueError(f"num_hiddens: expected an even number, got {_short(num_hiddens)}")
    P = PositionalEncoding(num_hiddens, max_len=max_len).P[0]  # (max_len, num_hiddens)
    return {
        "pairs": [
            {
                "j": j,
                "omega": float(f"{10000 ** (-2 * j / num_hiddens):.4g}"),
                "sin": _round(P[:, 2 * j]),
                "cos": _round(P[:, 2 * j + 1]),
            }
            for j in range(num_hiddens // 2)
        ]
    }


def positional_encoding_explorable(num_hiddens: int = 32, max_len: int = 64) -> Explorable:
    """The sinusoidal positional code to play with: a position and a frequency slider.

    Args:
        num_hiddens: Size ``d`` of the code (even).
        max_len: Number of positions shown.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = positional_encoding_data(num_hiddens, max_len)
    pair = _slider("pair", 2, 0, num_hiddens // 2 - 1, 1, pick("Column pair j ", "列对 j "))
    position = _slider("position", 10, 0, max_len - 1, 1, pick("Position i ", "位置 i "))
    sin_label = pick("sin column 2j", "sin 列 2j")
    cos_label = pick("cos column 2j+1", "cos 列 2j+1")
    rows = (
        alt.Chart(_data("pairs"))
        .transform_filter("datum.j == pair")
        .transform_calculate(i=f"sequence({max_len})")
        .transform_flatten(["sin", "cos", "i"])
        .transform_fold(["sin", "cos"], as_=["column", "value"])
        .transform_calculate(column=f"datum.column == 'sin' ? '{sin_label}' : '{cos_label}'")
    )
    x = alt.X("i:Q", title=pick("position i", "位置 i"), scale=alt.Scale(domain=[0, max_len - 1]))
    y = alt.Y(
        "value:Q", title=pick("value of the code", "编码的值"), scale=alt.Scale(domain=[-1.1, 1.1])
    )
    color = alt.Color(
        "column:N",
        title=None,
        scale=alt.Scale(domain=[sin_label, cos_label], range=[style.QUERY, style.KEY]),
        legend=alt.Legend(orient="bottom"),
    )
    lines = rows.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
    dots = (
        rows.transform_filter("datum.i == position")
        .mark_point(filled=True, size=90)
        .encode(x=x, y=y, color=color)
    )
    rule = (
        alt.Chart(_data("one"))
        .transform_calculate(i="position")
        .mark_rule(color=style.GREY, strokeDash=[3, 3])
        .encode(x="i:Q")
    )
    label = (
        alt.Chart(_data("pairs"))
        .transform_filter("datum.j == pair")
        .transform_calculate(
            label=(
                f"['ω = ' + format(datum.omega, '.4g') + '   {pick('period', '周期')} 2π/ω = ' + "
                f"format(2 * PI / datum.omega, '.1f'), 'P[i, 2j] = ' + "
                f"format(datum.sin[position], '.3f') + '   P[i, 2j+1] = ' + "
                f"format(datum.cos[position], '.3f')]"
            )
        )
        .mark_text(align="left", baseline="top", dx=4, dy=-38, fontSize=12, lineHeight=16)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart([rule, lines, dots, label], 240, [pair, position], {**d, "one": [{}]})
    return Explorable(
        _spec(chart),
        pick(
            f"Interactive chart: the sinusoidal positional encoding with d = {num_hiddens}. A "
            "slider picks the column pair j, whose sine and cosine columns are drawn over "
            f"positions 0 to {max_len - 1}; a second slider marks position i and prints its two "
            "values. Low pairs oscillate fast (period about 6 positions), high pairs slowly, so "
            "every position gets its own pattern of values.",
            f"交互图：d = {num_hiddens} 的正弦位置编码。一个滑块选择列对 j，画出它的 sin 列"
            f"和 cos 列在位置 0 到 {max_len - 1} 上的取值；另一个滑块标出位置 i 并给出它的两个值。"
            "编号小的列对"
            "振荡快（周期约 6 个位置），编号大的慢，所以每个位置都有自己独特的一组值。",
        ),
        "positional-encoding",
    )


# --------------------------------------------------------------------------- attention cues
POOL_WIDTHS = (0.25, 0.5, 1.0, 2.0)


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
        ValueError: ``values`` not 1-D with 2 to 16 finite numbers, or a width not positive.
    """
    row = torch.as_tensor(values, dtype=torch.float32).detach().cpu()
    if row.ndim != 1 or not 2 <= row.numel() <= 16 or not torch.isfinite(row).all():
        raise ValueError(f"values: expected 2 to 16 finite numbers in a row, got {_short(values)}")
    grid = _check_grid("widths", widths, 0.0)
    if 0.0 in grid:
        raise ValueError(f"widths: expected positive numbers, got {_short(widths)}")
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
        widths: Kernel widths offered in the menu, each ``> 0``.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = attention_pooling_data(values, widths)
    m = len(d["values"])
    query = _slider("query", 0.0, 0, m - 1, 0.1, pick("Query position q ", "查询位置 q "))
    width = alt.param(
        name="bandwidth",  # not "width": Vega's name for the chart's width
        value=0.5 if 0.5 in widths else widths[0],
        bind=alt.binding_select(options=list(widths), name=pick("Width ", "宽度 ")),
    )
    chosen = "datum.h == bandwidth && abs(datum.q - query) < 0.01"
    top = max(d["max"], 1.0) * 1.15
    x = alt.X(
        "x:Q",
        title=pick("key: pixel position", "键：像素位置"),
        scale=alt.Scale(domain=[-0.5, m - 0.5], nice=False),
        axis=alt.Axis(values=list(range(m)), format="d"),
    )
    value_y = alt.Y(
        "v:Q", title=pick("value: brightness", "值：亮度"), scale=alt.Scale(domain=[0, top])
    )
    pixels = (
        alt.Chart(_data("values"))
        .transform_calculate(x="datum.i - 0.3", x2="datum.i + 0.3")
        .mark_rect(color=style.VALUE, opacity=0.35)
        .encode(x=x, x2="x2:Q", y=value_y, y2=alt.datum(0))
    )
    selected = alt.Chart(_data("rows")).transform_filter(chosen)
    output = selected.mark_rule(color=style.QUERY, strokeWidth=2.5).encode(
        y=alt.Y("o:Q", scale=alt.Scale(domain=[0, top]))
    )
    maximum = (
        alt.Chart(_data("one"))
        .transform_calculate(v=str(d["max"]))
        .mark_rule(color=style.GREY, strokeDash=[5, 4])
        .encode(y=alt.Y("v:Q", scale=alt.Scale(domain=[0, top])))
    )
    rule = (
        alt.Chart(_data("one"))
        .transform_calculate(x="query")
        .mark_rule(color=style.QUERY, strokeDash=[2, 2])
        .encode(x=x)
    )
    label = (
        selected.transform_calculate(
            text=(
                f"['{pick('attention pooling', '注意力汇聚')} ' + format(datum.o, '.2f'), "
                f"'{pick('max pooling', '最大汇聚')} {d['max']:g}']"
            )
        )
        .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=12, lineHeight=16)
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
            "which stays the same whatever the query.",
            f"交互图：一行 {m} 个像素，位置是键，亮度（绿色竖条）是值。滑块沿这一行移动查询 q，"
            "菜单设置核的宽度。红色竖条是该查询的注意力权重；橙色横线是注意力汇聚的输出，"
            "灰色虚线是最大汇聚的输出，它与查询无关，始终不变。",
        ),
        "attention-pooling",
    )
