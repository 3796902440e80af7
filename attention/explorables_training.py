"""The explorable of a trained model: a training-step slider over the snapshots of a run.

Nothing trains in the browser: ``attention.toy_task.train_reversal`` trains the model when the
page is built and keeps snapshots of it; the chart only shows the snapshot the slider selects.
It follows the conventions of ``attention.explorables`` (Altair imported on first use, words in
the page's language, numbers rounded so that every build ships the same bytes).
"""

from __future__ import annotations

from typing import Any

from attention import style
from attention._checks import brief
from attention.explorables import Explorable, _chart, _slider
from attention.i18n import pick
from attention.toy_task import ReversalRun


def _check_run(run: object) -> ReversalRun:
    if not isinstance(run, ReversalRun) or not run.snapshots:
        raise ValueError(
            f"run: expected a ReversalRun from attention.toy_task.train_reversal, got {brief(run)}"
        )
    return run


def reversal_training_data(run: ReversalRun) -> dict[str, Any]:
    """The numbers behind ``reversal_training_explorable``: the snapshots of ``run``.

    Returns:
        ``{"example": [L tokens], "weights": [{s, w}] (w: the example's L * L weights at step
        s, row by row, in thousandths as integers: the largest part of the data, so the
        smallest form), "stats": [{s, loss, acc, mass, out}] (loss, accuracy and weight on the
        right key on the test sequences, rounded to 3 decimals; out: the model's output for
        the example), "truth": [{i, j}] (the right key j of each query i)}``.

    Raises:
        ValueError: ``run`` is not a ``ReversalRun`` with snapshots.
    """
    run = _check_run(run)
    seq_len = len(run.example)
    return {
        "example": run.example.tolist(),
        "weights": [
            {"s": snap.step, "w": (snap.weights * 1000).round().int().flatten().tolist()}
            for snap in run.snapshots
        ],
        "stats": [
            {
                "s": snap.step,
                "loss": round(snap.loss, 3) + 0.0,  # + 0.0: -0.0 prints as 0
                "acc": round(snap.accuracy, 3),
                "mass": round(snap.mass, 3),
                "out": snap.output.tolist(),
            }
            for snap in run.snapshots
        ],
        "truth": [{"i": i, "j": seq_len - 1 - i} for i in range(seq_len)],
    }


def reversal_training_explorable(run: ReversalRun) -> Explorable:
    """Watch attention form while a model learns to reverse: a slider over training steps.

    Shows the example sequence's attention weights at the chosen step as a grid (opacity:
    weight), the right alignment outlined, and the step's loss, accuracy, weight on the right
    key and the model's output for the example.

    Args:
        run: What ``train_reversal`` returned; its snapshots must be evenly spaced (they are).

    Returns:
        An ``Explorable``.

    Raises:
        ValueError: ``run`` is not a ``ReversalRun`` with snapshots.
    """
    import altair as alt

    d = reversal_training_data(run)
    steps = [row["s"] for row in d["stats"]]
    every = steps[1] - steps[0] if len(steps) > 1 else 1
    seq_len = len(d["example"])
    step = _slider("step", 0, 0, steps[-1], every, pick("Training step ", "训练步数 "))
    x = alt.X(
        "j:O",
        title=pick("key position j (input)", "键的位置 j（输入）"),
        axis=alt.Axis(labelAngle=0),
    )
    y = alt.Y("i:O", title=pick("query position i (output)", "查询的位置 i（输出）"))
    cells = (
        alt.Chart(alt.Data(name="weights"))
        .transform_filter("datum.s == step")
        .transform_calculate(k=f"sequence({seq_len * seq_len})")
        .transform_flatten(["w", "k"])
        .transform_calculate(
            i=f"floor(datum.k / {seq_len})", j=f"datum.k % {seq_len}", w="datum.w / 1000"
        )
        .mark_rect(color=style.WEIGHT)
        .encode(
            x=x,
            y=y,
            # Zero weight is transparent: the page's background in either colour scheme.
            opacity=alt.Opacity("w:Q", scale=alt.Scale(domain=[0, 1], range=[0, 1]), legend=None),
        )
    )
    truth = (
        alt.Chart(alt.Data(name="truth"))
        .mark_rect(filled=False, stroke=style.GREY, strokeWidth=2, strokeDash=[4, 3])
        .encode(x=x, y=y)
    )
    example = " ".join(str(t) for t in d["example"])
    label = (
        alt.Chart(alt.Data(name="stats"))
        .transform_filter("datum.s == step")
        .transform_calculate(
            # A list of strings draws as lines: the text fits a phone's width.
            label=(
                f"['{pick('step ', '第 ')}' + datum.s + '{pick(': loss ', ' 步：损失 ')}' + "
                f"format(datum.loss, '.3f') + '{pick(', accuracy ', '，准确率 ')}' + "
                "format(datum.acc, '.1%'), "
                f"'{pick('weight on the right key ', '正确键上的权重 ')}' + "
                "format(datum.mass, '.2f'), "
                f"'{example} → ' + join(datum.out, ' ')]"
            )
        )
        # Three lines of 16 px above the grid (dy: their height and a gap).
        .mark_text(align="left", baseline="top", dx=4, dy=-54, fontSize=12, lineHeight=16)
        .encode(x=alt.value(0), y=alt.value(0), text="label:N")
    )
    chart = _chart(
        [cells, truth, label],
        260,
        [step],
        {name: d[name] for name in ("weights", "stats", "truth")},
    )
    return Explorable(
        chart.to_dict(),
        pick(
            f"Interactive chart: the attention weights of a self-attention model learning to "
            f"reverse the sequence {example}, as a grid of {seq_len} query positions (rows) by "
            f"{seq_len} key positions (columns); the darker a cell, the larger its weight. "
            "Dashed outlines mark the right alignment, the anti-diagonal: output position i "
            f"copies input position {seq_len - 1} - i. A slider picks the training step, from "
            f"the untrained model to step {steps[-1]}; the text gives that step's loss, "
            "accuracy, mean weight on the right key and the model's output. The weights start "
            "nearly uniform and gather on the anti-diagonal as training goes on.",
            f"交互图：一个学习反转序列 {example} 的自注意力模型的注意力权重，画成 "
            f"{seq_len} 行 {seq_len} 列的网格，行是查询的位置，列是键的位置；格子越深，权重越大。"
            "虚线框标出正确的对齐，即反对角线：输出位置 i 复制输入位置 "
            f"{seq_len - 1} - i。滑块选择训练步数，从未训练的模型到第 {steps[-1]} 步；"
            "文字给出该步的损失、准确率、正确键上的平均权重和模型的输出。"
            "权重起初几乎均匀，随着训练逐渐集中到反对角线上。",
        ),
        "reversal-training",
        label=pick(
            "Attention of a model learning to reverse a sequence, by training step",
            "一个学习反转序列的模型的注意力，按训练步数",
        ),
    )
