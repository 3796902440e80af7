from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree import ElementTree

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import attention
from attention import (
    DisplayFigure,
    new_figure,
    plot_curves,
    plot_kernel_regression,
    show_heatmaps,
    style,
    toy_regression_data,
)
from attention.plotting import ROLES


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def image_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.images]


def graph_tensor(device: torch.device, *shape: int) -> torch.Tensor:
    """A tensor the plots must detach: on the GPU when there is one, always part of a graph."""
    leaf = torch.rand(*shape, generator=torch.Generator().manual_seed(0)).to(device)
    return (leaf.requires_grad_() * 1.0) if device.type == "cpu" else leaf.requires_grad_()


@pytest.mark.parametrize(("shape", "n_images"), [((3, 4), 1), ((2, 3, 4), 2), ((2, 3, 5, 4), 6)])
def test_show_heatmaps_grid(shape: tuple[int, ...], n_images: int) -> None:
    fig = show_heatmaps(torch.rand(shape), xlabel="Keys", ylabel="Queries")
    assert isinstance(fig, Figure)
    assert len(image_axes(fig)) == n_images
    assert len(fig.axes) == n_images + 1  # plus one shared colorbar


def test_show_heatmaps_titles_labels_and_shared_scale() -> None:
    matrices = torch.stack([torch.zeros(2, 2), torch.ones(2, 2)])  # (2, 2, 2): one row
    fig = show_heatmaps(matrices, "Keys", "Queries", titles=["a", "b"])
    first, second = image_axes(fig)
    assert (first.get_title(), second.get_title()) == ("a", "b")
    assert first.get_ylabel() == "Queries" and second.get_ylabel() == ""
    assert first.get_xlabel() == second.get_xlabel() == "Keys"
    assert first.images[0].get_clim() == second.images[0].get_clim() == (0.0, 1.0)


def test_show_heatmaps_accepts_gpu_and_grad_tensors(device: torch.device) -> None:
    fig = show_heatmaps(graph_tensor(device, 1, 2, 3, 3), "Keys", "Queries")
    assert len(image_axes(fig)) == 2


def test_show_heatmaps_accepts_bfloat16() -> None:
    fig = show_heatmaps(torch.rand(3, 3).to(torch.bfloat16), "Keys", "Queries")
    assert len(image_axes(fig)) == 1


def test_show_heatmaps_errors() -> None:
    with pytest.raises(ValueError, match=r"matrices: expected shape .*got \(3,\)"):
        show_heatmaps(torch.rand(3), "Keys", "Queries")
    with pytest.raises(ValueError, match=r"matrices: expected shape .*got \(1, 1, 1, 2, 2\)"):
        show_heatmaps(torch.rand(1, 1, 1, 2, 2), "Keys", "Queries")
    with pytest.raises(ValueError, match=r"titles: expected 2 titles \(one per column\), got 3"):
        show_heatmaps(torch.rand(2, 3, 3), "Keys", "Queries", titles=["a", "b", "c"])


def test_plot_kernel_regression(device: torch.device) -> None:
    data = toy_regression_data()
    prediction = graph_tensor(device, 50) * 4
    fig = plot_kernel_regression(*data[2:], *data[:2], {"Gaussian": prediction}, title="NW")
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 5.0) and ax.get_ylim() == (-1.0, 5.0)
    assert ax.get_title() == "NW"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["Truth", "Gaussian", "Training data"]  # English by default
    assert ax.get_lines()[1].get_linestyle() == "--"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), prediction.detach().cpu().numpy())


def test_plot_kernel_regression_draws_into_a_given_axes() -> None:
    data = toy_regression_data()
    fig, axes = new_figure(1, 2, figsize=(8, 3))
    returned = plot_kernel_regression(
        data.x_test, data.y_truth, data.x_train, data.y_train, data.y_truth, ax=axes[1]
    )
    assert returned is fig
    assert not axes[0].get_lines() and len(axes[1].get_lines()) == 3
    assert axes[1].get_legend().get_texts()[1].get_text() == "Prediction"


def test_plot_curves(device: torch.device) -> None:
    x = torch.arange(1.0, 6.0)
    fig = plot_curves(
        x,
        {"loss": graph_tensor(device, 5) + 0.1, "list": [1, 2, 3, 4, 5]},
        "epoch",
        "loss",
        title="t",
        logy=True,
    )
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["loss", "list"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch" and ax.get_title() == "t"


def test_plot_curves_length_mismatch() -> None:
    with pytest.raises(
        ValueError, match=r"curves\['b'\]: expected shape \(3,\) like x, got \(2,\)"
    ):
        plot_curves([1, 2, 3], {"a": [1, 2, 3], "b": [1, 2]}, "x", "y")


def test_new_figure_is_transparent_and_outside_pyplot() -> None:
    fig, axes = new_figure(2, 3, figsize=(6, 4), sharex=True)
    assert isinstance(fig, Figure) and axes.shape == (2, 3)
    assert fig.get_facecolor()[3] == 0.0  # the page's background shows through
    _, ax = new_figure()
    assert not isinstance(ax, np.ndarray)


def test_no_pyplot_figures_are_registered() -> None:
    before = plt.get_fignums()
    data = toy_regression_data()
    show_heatmaps(torch.rand(2, 2, 3, 3), "Keys", "Queries")
    plot_kernel_regression(data.x_test, data.y_truth, data.x_train, data.y_train, data.y_truth)
    plot_curves([0, 1], {"a": [0, 1]}, "x", "y")
    new_figure()
    assert plt.get_fignums() == before


def test_figures_are_deterministic() -> None:
    data = toy_regression_data()

    def draw() -> list[bytes]:
        weights = torch.softmax(torch.arange(12.0).reshape(1, 1, 3, 4), dim=-1)
        return [
            png_bytes(show_heatmaps(weights, "Keys", "Queries", titles=["w"])),
            png_bytes(
                plot_kernel_regression(
                    data.x_test, data.y_truth, data.x_train, data.y_train, data.y_truth
                )
            ),
        ]

    first, second = draw(), draw()
    assert first == second
    assert first[0] != first[1]


def described_heatmap(text: str = "a heatmap of three weights per query") -> DisplayFigure:
    return show_heatmaps(torch.softmax(torch.arange(12.0).reshape(3, 4), dim=-1)).describe(text)


def svg_of(fig: DisplayFigure) -> str:
    return fig._repr_mimebundle_()[0]["image/svg+xml"]


def test_a_figure_is_described_self_contained_svg_in_both_schemes_colours() -> None:
    data, meta = described_heatmap("weights <of> three  queries & four keys")._repr_mimebundle_()
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert meta["image/svg+xml"]["alt"] == "weights <of> three queries & four keys"
    # The words it draws, tick labels included (set when drawn), once each.
    texts = meta["image/svg+xml"]["texts"]
    assert {"Keys", "Queries", "0.0", "0.8"} <= set(texts) and len(set(texts)) == len(texts)
    svg = data["image/svg+xml"]
    root = ElementTree.fromstring(svg)  # a file of its own: well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("width").endswith("pt")
    assert "fill:var(--attn-ink)" in svg  # text and axes: a colour role
    light = re.search(r"#only-dark\{([^}]*)\}", svg).group(1)  # the file as it opens
    assert light == ";".join(f"--attn-{r.lower()}:{getattr(style, r)}" for r in ROLES)
    dark = re.search(r"#only-dark:target\{([^}]*)\}", svg).group(1)  # opened as #only-dark
    assert dark == ";".join(f"--attn-{role}:{colour}" for role, colour in style.DARK.items())
    assert set(style.DARK) == {role.lower() for role in ROLES}  # every role has a dark value
    assert "#only-dark image{image-rendering:pixelated}" in svg  # heatmap entries stay square
    assert "<metadata>" not in svg and "<?xml" not in svg and "*{" not in svg
    assert "<text" not in svg  # text is drawn as outlines: no font needed by the reader
    assert not re.search(r"\d\.\d{3}", svg.split("base64")[0])  # coordinates rounded
    assert not hasattr(DisplayFigure, "_repr_png_")  # no second copy in the page or notebook
    fig = described_heatmap()
    assert fig._repr_html_() is None  # matplotlib's, for its web backend only: one output


def test_figure_svg_is_deterministic_with_ids_unique_per_figure() -> None:
    a, b = svg_of(described_heatmap()), svg_of(described_heatmap())
    assert a == b
    other = svg_of(described_heatmap("the same heatmap, described differently"))
    ids_a = set(re.findall(r'id="([^"]+)"', a)) - {"only-dark"}
    ids_other = set(re.findall(r'id="([^"]+)"', other))
    assert ids_a and not ids_a & ids_other, "two figures on one page share an element id"
    for ref in re.findall(r'(?:url\(#|href="#)([^)"]+)', a):
        assert ref in ids_a, f"reference to a missing id {ref}"


@pytest.mark.parametrize(
    "text", [None, "too short", "No description has been provided for this image", 42]
)
def test_a_figure_without_a_real_description_refuses_to_display(text) -> None:
    fig = show_heatmaps(torch.eye(3))
    if text is not None:
        with pytest.raises(ValueError, match=r"^description: expected"):
            fig.describe(text)
        fig.description = text  # set behind describe's back: display still refuses
    with pytest.raises(ValueError, match=r"^description: "):
        fig._repr_mimebundle_()


def test_describe_returns_the_figure() -> None:
    fig = show_heatmaps(torch.eye(3))
    assert fig.describe("an identity matrix of attention weights") is fig


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), float("-inf")])
def test_show_heatmaps_rejects_non_finite_values(bad: float) -> None:
    matrices = torch.rand(2, 3, 3)
    matrices[1, 0, 2] = bad
    with pytest.raises(ValueError, match=r"^matrices: expected finite values, got 1 inf or NaN"):
        show_heatmaps(matrices)


def test_heatmap_zero_is_transparent_and_the_colorbar_is_labelled() -> None:
    fig = show_heatmaps(torch.tensor([[0.0, 1.0]]))
    cmap = fig.axes[0].images[0].get_cmap()
    assert cmap(0.0)[3] == 0.0 and cmap(1.0)[3] == 1.0  # zero weight reads as the background
    assert fig.axes[-1].get_ylabel() == "weight"


def test_default_labels_follow_the_figure_language() -> None:
    data = toy_regression_data()
    with attention.language("zh"):
        heat = show_heatmaps(torch.eye(2))
        fit = plot_kernel_regression(*data[2:], *data[:2], data.y_truth)
    assert heat.axes[0].get_xlabel() == "键" and heat.axes[0].get_ylabel() == "查询"
    assert heat.axes[-1].get_ylabel() == "权重"
    labels = [t.get_text() for t in fit.axes[0].get_legend().get_texts()]
    assert labels == ["真实值", "预测", "训练数据"]
    assert show_heatmaps(torch.eye(2)).axes[0].get_xlabel() == "Keys"  # back to English


def test_chinese_text_is_drawn_with_the_packaged_font() -> None:
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    from attention import plotting

    packaged = str(noto_cjk_sans_otc.FONT_PATH)
    assert packaged == plotting.CJK_FONT and Path(packaged).is_file()
    prop = font_manager.FontProperties(family=plotting.CJK_FAMILY)
    assert font_manager.findfont(prop, fallback_to_default=False) == packaged
    title = "注意力权重：查询与键（全角标点）"
    fig = show_heatmaps(torch.eye(2), titles=[title]).describe(
        "一张带中文标题的热图, 用来检查中文字形来自随包安装的字体"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a warning
        svg = svg_of(fig)
    assert svg.count("<path") > 20


def test_every_public_name_is_importable() -> None:
    for name in attention.__all__:
        assert getattr(attention, name) is not None, name
    assert attention.__version__ == "0.1.0"


def test_importing_the_math_does_not_load_matplotlib() -> None:
    root = str(Path(attention.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, attention\n"
        "attention.masked_softmax, attention.MultiHeadAttention, attention.train_nw\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "attention.show_heatmaps\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "assert 'matplotlib.figure' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def test_heatmap_colour_scales_start_at_zero() -> None:
    weights = show_heatmaps(torch.tensor([[0.25, 0.75]]))
    assert weights.axes[0].images[0].get_clim() == (0.0, 0.75)  # 0, not 0.25, is the background
    signed = show_heatmaps(torch.tensor([[-0.5, 2.0]]), cmap="attention_diverging")
    assert signed.axes[0].images[0].get_clim() == (-2.0, 2.0)  # centred: 0 is transparent


def test_heatmap_ticks_sit_on_whole_entries() -> None:
    for n in (4, 10, 80):
        ax = image_axes(show_heatmaps(torch.eye(n)))[0]
        for ticks in (ax.get_xticks(), ax.get_yticks()):
            inside = ticks[(ticks >= 0) & (ticks <= n - 1)]
            assert len(inside) >= 2 and np.array_equal(inside, np.round(inside)), ticks


def test_plot_softmax_rows_draws_each_rows_softmax_over_its_scores() -> None:
    from attention.plotting import plot_softmax_rows

    rows = {"d = 2": torch.tensor([1.0, -0.04, 3.0]), "d = 512": torch.tensor([-20.0, 30.0, 5.0])}
    fig = plot_softmax_rows(rows)
    assert [ax.get_title() for ax in fig.axes] == list(rows)
    for ax, scores in zip(fig.axes, rows.values(), strict=True):
        heights = [bar.get_height() for bar in ax.patches]
        assert np.allclose(heights, torch.softmax(scores.double(), 0).numpy())
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks == [f"{s:.0f}" if abs(s) >= 10 else f"{s:.1f}".replace("-0.0", "0.0")
                         for s in scores.tolist()]  # fmt: skip
        labels = [t.get_text() for t in ax.texts]
        assert [t for t in labels if t] == [f"{max(heights):.2f}"]  # the largest weight only
    assert fig.axes[1].patches[1].get_height() > 0.999  # a lead of 25 is one-hot


@pytest.mark.parametrize(
    ("rows", "message"),
    [({}, r"^scores: expected at least one row"),
     ({"a": torch.tensor([1.0, float("nan")])}, r"^scores\['a'\]: expected a non-empty 1-D"),
     ({"b": torch.zeros(2, 2)}, r"^scores\['b'\]: expected a non-empty 1-D")],
)  # fmt: skip
def test_plot_softmax_rows_refuses_bad_rows(rows: dict, message: str) -> None:
    from attention.plotting import plot_softmax_rows

    with pytest.raises(ValueError, match=message):
        plot_softmax_rows(rows)
