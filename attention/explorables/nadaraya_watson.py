"""The Nadaraya-Watson chapter's explorables: kernel regression, and its training replayed."""

from __future__ import annotations

import json
from typing import Any

import torch

from attention import style
from attention.data import leave_one_out, toy_regression_data
from attention.explorables.core import (
    DIGITS,
    Explorable,
    _alt,
    _chart,
    _check_even_grid,
    _check_grid,
    _check_int,
    _check_seed,
    _data,
    _menu,
    _round,
    _short,
    _slider,
    _spec,
)
from attention.i18n import pick
from attention.pooling import KERNELS, NWKernelRegression, nadaraya_watson
from attention.training import train_nw

# What attention.explorables lends out: it reads this list without importing the module.
__all__ = [
    "KERNELS_ZH",
    "NW_EPOCHS",
    "NW_KERNELS",
    "NW_LRS",
    "NW_WIDTHS",
    "nadaraya_watson_data",
    "nadaraya_watson_explorable",
    "nw_training_data",
    "nw_training_explorable",
]

NW_WIDTHS = tuple(round(0.1 * i, 1) for i in range(1, 21))  # the width slider: 0.1 .. 2.0
# d2l's four kernels (Epanechnikov rightly named); the triangular one is left out for weight.
NW_KERNELS = ("gaussian", "boxcar", "constant", "epanechnikov")
KERNELS_ZH = {
    "gaussian": "高斯核",
    "boxcar": "矩形核",
    "epanechnikov": "Epanechnikov 核",
    "triangular": "三角核",
    "constant": "常数核",
}
QUERY_STEP = 0.2  # the query slider: every second test input, 0, 0.2, ..., 4.8


def _toy_data(seed: int) -> tuple[torch.Tensor, ...]:
    """The chapter's toy data: 50 noisy training points and 50 test inputs 0, 0.1, ..., 4.9."""
    return toy_regression_data(n_train=50, noise=0.5, seed=_check_seed("seed", seed))


def nadaraya_watson_data(
    kernels: tuple[str, ...] = NW_KERNELS, widths: tuple[float, ...] = NW_WIDTHS, seed: int = 0
) -> dict[str, list[dict[str, Any]]]:
    """The numbers behind ``nadaraya_watson_explorable``, from ``attention.nadaraya_watson``.

    The chapter's toy data (50 noisy training points sorted by x, 50 test inputs
    ``0, 0.1, ..., 4.9``); every second test input (``0, 0.2, ..., 4.8``) is a position of the
    query slider. A kernel whose results do not depend on the width (the constant kernel) is
    stored once, with ``h = None``.

    Returns:
        ``{"points": [{x, y}] (50 training pairs), "truth": [{x, y}] (50),
        "fits": [{k, h, y}] (y: the fitted curve at the 50 test inputs, to 2 decimals),
        "weights": [{k, h, a, w}] (for each of the 25 queries, its weights over the sorted
        keys in hundredths, as integers, without the zeros before key ``a[q]`` and after its
        last non-zero weight: the largest part of the data, so its smallest form),
        "mse": [{k, h, mse}]}``, rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: An unknown kernel, a width not in ``[0.01, 100]``, or a seed that is not an
            integer in ``[0, 2**64)``.
    """
    if (
        isinstance(kernels, str)
        or not isinstance(kernels, (tuple, list))
        or not kernels
        or any(not isinstance(k, str) or k not in KERNELS for k in kernels)
    ):
        raise ValueError(f"kernels: expected names from {list(KERNELS)}, got {_short(kernels)}")
    grid = _check_grid("widths", widths, 0.01, 100.0)
    x_train, y_train, x_test, y_truth = _toy_data(seed)
    order = x_train.argsort()  # keys sorted by x, so a query's non-zero weights form a run
    x_train, y_train = x_train[order], y_train[order]
    queries = x_test[::2]  # 25 slider positions
    out: dict[str, list[dict[str, Any]]] = {
        "points": [{"x": x, "y": y} for x, y in zip(_round(x_train), _round(y_train), strict=True)],
        "truth": [{"x": x, "y": y} for x, y in zip(_round(x_test), _round(y_truth), strict=True)],
        "fits": [],
        "weights": [],
        "mse": [],
    }
    for kernel in kernels:
        results = []
        for width in grid:
            y_hat, _ = nadaraya_watson(x_test, x_train, y_train, kernel=kernel, width=width)
            _, w = nadaraya_watson(queries, x_train, y_train, kernel=kernel, width=width)
            results.append((width, y_hat, w))
        if all(
            torch.equal(r[1], results[0][1]) and torch.equal(r[2], results[0][2]) for r in results
        ):
            results = [(None, results[0][1], results[0][2])]  # the width changes nothing
        for width, y_hat, w in results:
            mse = ((y_hat - y_truth) ** 2).mean().item()
            out["mse"].append({"k": kernel, "h": width, "mse": round(mse, DIGITS)})
            out["fits"].append({"k": kernel, "h": width, "y": _round(y_hat, 2)})
            starts, rows = [], []
            for row in w:
                hundredths = [round(v * 100) for v in _round(row)]
                kept = [i for i, v in enumerate(hundredths) if v] or [0]
                starts.append(kept[0])
                rows.append(hundredths[kept[0] : kept[-1] + 1])
            out["weights"].append({"k": kernel, "h": width, "a": starts, "w": rows})
    return out


def nadaraya_watson_explorable(
    kernels: tuple[str, ...] = NW_KERNELS, widths: tuple[float, ...] = NW_WIDTHS, seed: int = 0
) -> Explorable:
    """Nadaraya-Watson pooling to play with: a query slider, a kernel menu and a width slider.

    Shows the training points, the true curve, the fitted curve of the chosen kernel and width
    with its test MSE, and the chosen query's attention weights as bars over the keys.

    Args:
        kernels: Kernel names offered in the menu (from ``KERNELS``).
        widths: Positions of the width slider: evenly spaced, increasing, in ``[0.01, 100]``.
        seed: Seed of the toy data.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    grid = _check_even_grid("widths", widths, 0.01, 100.0)
    d = nadaraya_watson_data(kernels, widths, seed)
    keys = json.dumps([p["x"] for p in d["points"]])
    inputs = json.dumps([p["x"] for p in d["truth"]])
    query = _slider("query", 2.4, 0, 4.8, QUERY_STEP, pick("Query x ", "查询 x "))
    kernel = _menu(
        "kernel",
        kernels[0],
        list(kernels),
        [pick(k, KERNELS_ZH.get(k, k)) for k in kernels],
        pick("Kernel ", "核 "),
    )
    step = grid[1] - grid[0] if len(grid) > 1 else 1.0
    start = min(grid, key=lambda h: abs(h - 0.3))
    # Not "width": Vega reserves that signal name for the chart's width.
    width = _slider("bandwidth", start, grid[0], grid[-1], step, pick("Width h ", "宽度 h "))
    chosen = "datum.k == kernel && (datum.h == null || abs(datum.h - bandwidth) < 1e-6)"
    row = f"round(query / {QUERY_STEP})"
    x = alt.X(
        "x:Q",
        title=pick("x (keys and queries)", "x（键与查询）"),
        scale=alt.Scale(domain=[0, 5], nice=False),
    )
    y = alt.Y("y:Q", title=pick("y (values)", "y（值）"), scale=alt.Scale(domain=[-1.5, 5.5]))
    weights = (
        alt.Chart(_data("weights"))
        .transform_filter(chosen)
        # x before w: each calculate overwrites its field, and x reads the whole of datum.w.
        .transform_calculate(
            x=f"slice({keys}, datum.a[{row}], datum.a[{row}] + length(datum.w[{row}]))"
        )
        .transform_calculate(w=f"datum.w[{row}]")
        .transform_flatten(["w", "x"])
        .transform_calculate(w="datum.w / 100")
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
            "A slider moves the query x from 0 to 4.8, a menu chooses the kernel (the constant "
            f"kernel too) and a second slider its width h from {grid[0]:g} to {grid[-1]:g}. "
            "Red bars show the query's attention weights over the keys, the green curve the "
            "prediction at every x, the dashed grey curve the truth; the test MSE is printed. "
            "Narrow widths put the weight on a few keys and give a wiggly curve; wide ones "
            "spread it and flatten the curve, and the constant kernel, whatever the width, "
            "gives every key the same weight: average pooling.",
            "交互图：在 50 个训练点上做 Nadaraya-Watson 回归。滑块把查询 x 从 0 移到 4.8；"
            f"菜单选择核函数（包括常数核），第二个滑块把它的宽度 h 从 {grid[0]:g} 调到 "
            f"{grid[-1]:g}。红色竖条是该查询在各个键上的注意力权重，"
            "绿色曲线是每个 x 处的预测，灰色虚线是真实函数，并显示测试均方误差。"
            "宽度小时权重集中在少数几个键上，曲线抖动；宽度大时权重分散，曲线变平；"
            "常数核不论宽度如何都给每个键相同的权重，也就是平均汇聚。",
        ),
        "nadaraya-watson",
        pick(
            "Nadaraya-Watson regression: a query, a kernel and its width",
            "Nadaraya-Watson 回归：查询、核函数与宽度",
        ),
    )


# --------------------------------------------------------------------------- training
NW_LRS = (0.5, 0.1, 0.02)  # the chapter's learning rate first
NW_EPOCHS = 100


def nw_training_data(
    lrs: tuple[float, ...] = NW_LRS, epochs: int = NW_EPOCHS, seed: int = 0
) -> dict[str, Any]:
    """The numbers behind ``nw_training_explorable``: ``train_nw`` replayed step by step.

    On the chapter's toy data, an ``NWKernelRegression(seed)`` is trained with
    ``attention.train_nw`` for ``epochs`` one-epoch calls per learning rate (plain SGD keeps no
    state between steps, so this is one run), recording ``w`` after every step.

    Returns:
        ``{"curve": [{w, loo, own}]`` (the summed leave-one-out loss, and the loss when each
        point sees itself, at 120 values of ``w`` from 0.25 to 50, log-spaced),
        ``"runs": [{lr, w: [epochs + 1], loss: [epochs + 1]}]}`` (``w`` before the first step
        and after each step; ``loss``: the leave-one-out loss at that ``w``, as ``train_nw``
        measured it), rounded to ``DIGITS`` decimals.

    Raises:
        ValueError: A learning rate not in ``(0, 10]``, ``epochs`` not an integer in
            ``[1, 1000]``, or a bad ``seed``.
    """
    grid_lrs = _check_grid("lrs", lrs, 0.0, 10.0, positive=True, most=8)
    epochs = _check_int("epochs", epochs, 1, 1000)
    x_train, y_train, _, _ = _toy_data(seed)
    keys, values = leave_one_out(x_train, y_train)  # (n, n - 1) each
    probe = NWKernelRegression()

    def losses(w: float) -> tuple[float, float]:
        with torch.no_grad():
            probe.w.fill_(w)
            loo = ((probe(x_train, keys, values) - y_train) ** 2).sum().item()
            own = ((probe(x_train, x_train, y_train) - y_train) ** 2).sum().item()
        return loo, own

    w_grid = torch.logspace(-0.6, 1.7, 120).tolist()  # w from 0.25 to 50, as in the chapter
    curve = [(w, *losses(w)) for w in w_grid]
    runs = []
    for lr in grid_lrs:
        model = NWKernelRegression(seed=seed)
        ws, loss = [model.w.item()], []
        for _ in range(epochs):
            loss += train_nw(model, x_train, y_train, lr=lr, epochs=1)  # the loss before the step
            ws.append(model.w.item())
        loss.append(losses(ws[-1])[0])
        runs.append({"lr": lr, "w": _round(ws), "loss": _round(loss)})
    w_round, loo_round, own_round = (_round([c[j] for c in curve]) for j in range(3))
    return {
        "curve": [
            {"w": w, "loo": loo, "own": own}
            for w, loo, own in zip(w_round, loo_round, own_round, strict=True)
        ],
        "runs": runs,
    }


def nw_training_explorable(
    lrs: tuple[float, ...] = NW_LRS, epochs: int = NW_EPOCHS, seed: int = 0
) -> Explorable:
    """The training of ``NWKernelRegression`` replayed: an epoch slider and a learning-rate menu
    move ``w`` along the leave-one-out loss curve, so the first step's overshoot can be seen.

    Args:
        lrs: Learning rates offered in the menu, each in ``(0, 10]``; the first is selected.
        epochs: Number of training steps the slider runs through.
        seed: Seed of the toy data and of the model's initial ``w``.

    Returns:
        An ``Explorable``.
    """
    alt = _alt()
    d = nw_training_data(lrs, epochs, seed)
    rates = [r["lr"] for r in d["runs"]]
    epoch = _slider("epoch", 0, 0, epochs, 1, pick("Epoch ", "训练周期 "))
    lr = _menu(
        "lr",
        rates[0],
        rates,
        [
            f"{r:g}" + pick(" (the chapter's)", "（本章所用）") * (i == 0)
            for i, r in enumerate(rates)
        ],
        pick("Learning rate ", "学习率 "),
    )
    top = max(max(p["loo"] for p in d["curve"]), max(max(r["loss"]) for r in d["runs"]))
    x = alt.X(
        "w:Q",
        title=pick("w (log scale; kernel width 1/w)", "w（对数坐标；核宽度 1/w）"),
        scale=alt.Scale(type="log", domain=[0.25, 50], nice=False),
        axis=alt.Axis(values=[0.25, 0.5, 1, 2, 4, 8, 16, 32], format="~g"),
    )
    y = alt.Y(
        "loss:Q",
        title=pick("summed squared error", "误差平方和"),
        scale=alt.Scale(domain=[0, top * 1.05], nice=False),
    )
    curve = alt.Chart(_data("curve")).transform_fold(["loo", "own"], as_=["curve", "loss"])
    names = [pick("leave one out", "留一法"), pick("each point sees itself", "每个点看得见自己")]
    lines = (
        curve.transform_calculate(curve=f"datum.curve == 'loo' ? '{names[0]}' : '{names[1]}'")
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "curve:N",
                title=None,
                scale=alt.Scale(domain=names, range=[style.KEY, style.GREY]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "curve:N",
                title=None,
                scale=alt.Scale(domain=names, range=[[1, 0], [5, 4]]),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    steps = (
        alt.Chart(_data("runs"))
        .transform_filter("abs(datum.lr - lr) < 1e-9")
        .transform_calculate(t=f"sequence({epochs + 1})")
        .transform_flatten(["w", "loss", "t"])
        .transform_filter("datum.t <= epoch")
    )
    path = steps.mark_line(color=style.WEIGHT, strokeWidth=1.5, point=False).encode(
        x=x, y=y, order="t:Q"
    )
    dots = steps.mark_circle(color=style.WEIGHT, size=20).encode(x=x, y=y)
    now = (
        steps.transform_filter("datum.t == epoch")
        .mark_point(color=style.WEIGHT, filled=True, size=120, shape="diamond")
        .encode(x=x, y=y)
    )
    label = (
        steps.transform_filter("datum.t == epoch")
        .transform_calculate(
            text=(
                f"'{pick('epoch ', '第 ')}' + datum.t + '{pick(': ', ' 个周期：')}w = ' + "
                "format(datum.w, '.2f') + "
                f"'{pick(' (width ', '（宽度 ')}' + format(1 / datum.w, '.3f') + "
                f"'{pick('), loss ', '），损失 ')}' + format(datum.loss, '.1f')"
            )
        )
        .mark_text(align="left", baseline="bottom", dy=-8, fontSize=12)
        .encode(x=alt.value(0), y=alt.value(0), text="text:N")
    )
    chart = _chart([lines, path, dots, now, label], 260, [epoch, lr], d)
    first = d["runs"][0]
    return Explorable(
        _spec(chart),
        pick(
            "Interactive chart: the summed leave-one-out loss of NWKernelRegression against "
            "w on a log axis (blue), with the loss when each point sees itself (dashed grey). "
            f"A slider replays training from epoch 0 to {epochs}, a menu picks the learning "
            "rate; red dots trace w step by step and the current step is printed. At the "
            f"chapter's rate {first['lr']:g} the first step throws w from {first['w'][0]:.2f} "
            f"to {first['w'][1]:.1f}, far past the minimum, where the loss is flat and w creeps "
            "back; smaller rates approach the minimum without overshooting.",
            "交互图：NWKernelRegression 的留一法误差平方和随 w 的变化（对数横轴，蓝色），"
            "以及每个点看得见自己时的损失（灰色虚线）。滑块把训练从第 0 个周期重放到第 "
            f"{epochs} 个周期，菜单选择学习率；红点逐步画出 w 的轨迹，并写出当前这一步的数值。"
            f"用本章的学习率 {first['lr']:g} 时，第一步就把 w 从 {first['w'][0]:.2f} "
            f"甩到 {first['w'][1]:.1f}，远远越过最小值；那里损失几乎是平的，w 只能慢慢爬回来。"
            "学习率较小时，w 不越过最小值，逐步接近它。",
        ),
        "nw-training",
        pick(
            "Training NWKernelRegression replayed on its loss curve",
            "在损失曲线上重放 NWKernelRegression 的训练",
        ),
    )
