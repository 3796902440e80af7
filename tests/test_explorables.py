"""The explorables show what the package computes: their data equal the package's functions."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys

import pytest
import torch

import attention
from attention import explorables
from attention.i18n import language

CJK = re.compile(r"[\u4e00-\u9fff]")
TOL = 6e-4  # data are rounded to 3 decimals


def close(got, expected) -> bool:
    return torch.allclose(torch.tensor(got, dtype=torch.float64), expected.double(), atol=TOL)


# --------------------------------------------------------------------------- data = package
@pytest.mark.parametrize(
    ("kernel", "width", "q"),
    [
        ("gaussian", 0.3, 2.4),
        ("boxcar", 0.1, 0.0),
        ("epanechnikov", 2.0, 4.8),
        ("gaussian", 1.0, 1.2),
    ],
)
def test_nadaraya_watson_data_is_the_package_output(kernel, width, q) -> None:
    d = explorables.nadaraya_watson_data()
    x_train, y_train, x_test, y_truth = attention.toy_regression_data(50, 0.5, seed=0)
    row = next(r for r in d["weights"] if (r["k"], r["h"], r["q"]) == (kernel, width, q))
    _, w = attention.nadaraya_watson(torch.tensor([q]), x_train, y_train, kernel, width)
    assert close([v / 1000 for v in row["w"]], w[0])
    y_hat, _ = attention.nadaraya_watson(x_test, x_train, y_train, kernel, width)
    fit = next(r for r in d["fits"] if (r["k"], r["h"]) == (kernel, width))
    assert close(fit["y"], y_hat)
    mse = next(r["mse"] for r in d["mse"] if (r["k"], r["h"]) == (kernel, width))
    assert mse == pytest.approx(((y_hat - y_truth) ** 2).mean().item(), abs=TOL)
    assert close([p["x"] for p in d["points"]], x_train)
    assert close([p["y"] for p in d["truth"]], y_truth)


def test_nadaraya_watson_grid() -> None:
    d = explorables.nadaraya_watson_data()
    queries = sorted({r["q"] for r in d["weights"]})
    assert queries == [round(0.2 * i, 3) for i in range(25)]  # what the slider steps through
    assert {(r["k"], r["h"]) for r in d["mse"]} == {
        (k, h) for k in explorables.NW_KERNELS for h in explorables.NW_WIDTHS
    }


@pytest.mark.parametrize("valid_len", [0, 1, 3, 8])
def test_masking_data_is_masked_softmax(valid_len) -> None:
    d = explorables.masking_data()
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(1, 1, 8, generator=generator)
    values = torch.randn(8, generator=generator)
    expected = attention.masked_softmax(scores, [valid_len])[0, 0]
    got = [r["w"] for r in d["weights"] if r["L"] == valid_len]
    assert close(got, expected)
    assert all(w == 0 for w in got[valid_len:])  # exactly 0 past the valid length
    output = next(r["o"] for r in d["outputs"] if r["L"] == valid_len)
    assert output == pytest.approx((expected @ values).item(), abs=TOL)
    assert close([k["s"] for k in d["keys"]], scores.flatten())


@pytest.mark.parametrize(("query", "scale"), [("q_on", 1.0), ("q_on", 0.0), ("1", 2.5), ("5", 4.0)])
def test_cat_on_mat_data_is_softmax_of_the_scores(query, scale) -> None:
    d = explorables.cat_on_mat_data()
    tokens, X, q_on = attention.cat_on_mat()
    q = q_on if query == "q_on" else X[int(query)]
    expected = torch.softmax(scale * (X @ q), dim=0)
    got = [r["w"] for r in d["weights"] if (r["q"], r["t"]) == (query, scale)]
    assert close(got, expected)
    output = next(r["o"] for r in d["outputs"] if (r["q"], r["t"]) == (query, scale))
    assert close(output, expected @ X)
    assert d["tokens"] == tokens


def test_cat_on_mat_data_matches_the_chapter() -> None:
    """The chapter's numbers: "on" puts 0.704 of its weight on "mat"."""
    d = explorables.cat_on_mat_data()
    mat = next(r["w"] for r in d["weights"] if (r["q"], r["t"], r["i"]) == ("q_on", 1.0, 5))
    assert mat == pytest.approx(0.704, abs=1e-3)


@pytest.mark.parametrize("j", [0, 5, 15])
def test_positional_encoding_data_is_the_module_buffer(j) -> None:
    d = explorables.positional_encoding_data(32, 64)
    P = attention.PositionalEncoding(32, max_len=64).P[0]
    pair = d["pairs"][j]
    assert pair["j"] == j
    assert close(pair["sin"], P[:, 2 * j])
    assert close(pair["cos"], P[:, 2 * j + 1])
    assert pair["omega"] == pytest.approx(10000 ** (-2 * j / 32), rel=1e-3)


@pytest.mark.parametrize(("q", "width"), [(0.0, 0.5), (2.0, 0.5), (1.3, 2.0), (3.0, 0.25)])
def test_attention_pooling_data_is_nadaraya_watson(q, width) -> None:
    row = torch.tensor([9.0, 3.0, 1.0, 8.0])
    d = explorables.attention_pooling_data(row)
    out, w = attention.nadaraya_watson(torch.tensor([q]), torch.arange(4.0), row, width=width)
    got = next(r for r in d["rows"] if (r["q"], r["h"]) == (q, width))
    assert close(got["w"], w[0])
    assert got["o"] == pytest.approx(out.item(), abs=TOL)
    assert d["max"] == 9.0
    assert sorted({r["q"] for r in d["rows"]}) == [round(0.1 * i, 3) for i in range(31)]


# --------------------------------------------------------------------------- the objects
MAKERS = [
    functools.partial(explorables.attention_pooling_explorable, [9.0, 3.0, 1.0, 8.0]),
    explorables.nadaraya_watson_explorable,
    explorables.masking_explorable,
    explorables.cat_on_mat_explorable,
    explorables.positional_encoding_explorable,
]


@pytest.mark.parametrize("make", MAKERS)
def test_deterministic_and_displayable(make) -> None:
    first, second = make(), make()
    assert first.to_json() == second.to_json()
    bundle, meta = first._repr_mimebundle_()
    assert set(bundle) == {explorables.MIME_VEGALITE, "text/plain"}
    assert bundle[explorables.MIME_VEGALITE] == first.spec  # the site draws exactly this spec
    about = meta[explorables.MIME_VEGALITE]["attention"]  # what the site builds its figure from
    assert about == {"name": first.name, "description": first.description, "lang": "en"}
    assert "/vega-lite/v6." in first.spec["$schema"]  # the vendored vega-lite is 6.x
    controls = [p for p in first.spec["params"] if "bind" in p]
    assert controls and all(p["bind"].get("name", "").strip() for p in controls)  # labelled


@pytest.mark.parametrize("make", MAKERS)
def test_words_follow_the_language(make) -> None:
    with language("zh"):
        zh = make()
    en = make()

    def words(e: explorables.Explorable) -> str:
        spec = {k: v for k, v in e.spec.items() if k != "datasets"}
        return e.description + json.dumps(spec, ensure_ascii=False)

    assert CJK.search(zh.description) and CJK.search(words(zh))
    assert all(CJK.search(p["bind"]["name"]) for p in zh.spec["params"] if "bind" in p)
    assert not CJK.search(words(en))
    assert zh.spec["datasets"] == en.spec["datasets"]  # same numbers in both languages


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: explorables.nadaraya_watson_data(kernels=("cosine",)), "kernels"),
        (lambda: explorables.nadaraya_watson_data(widths=(0.3, 0)), "widths"),
        (lambda: explorables.nadaraya_watson_data(widths=()), "widths"),
        (lambda: explorables.nadaraya_watson_explorable(widths=(float("nan"),)), "widths"),
        (lambda: explorables.masking_data(n_keys=0), "n_keys"),
        (lambda: explorables.masking_explorable(n_keys=2.5), "n_keys"),
        (lambda: explorables.cat_on_mat_data(scales=(-1,)), "scales"),
        (lambda: explorables.cat_on_mat_explorable(scales=(0, 1, 3)), "scales"),
        (lambda: explorables.cat_on_mat_data(scales="abc"), "scales"),
        (lambda: explorables.positional_encoding_data(num_hiddens=31), "num_hiddens"),
        (lambda: explorables.positional_encoding_explorable(max_len=1), "max_len"),
        (lambda: explorables.positional_encoding_data(num_hiddens=True), "num_hiddens"),
        (lambda: explorables.attention_pooling_data([1.0]), "values"),
        (lambda: explorables.attention_pooling_data(torch.ones(10_000)), "values"),
        (lambda: explorables.cat_on_mat_data(scales=[-1.0] * 10_000), "scales"),
        (lambda: explorables.attention_pooling_data([[1.0, 2.0]]), "values"),
        (lambda: explorables.attention_pooling_data([1.0, float("inf")]), "values"),
        (lambda: explorables.attention_pooling_explorable([1.0, 2.0], widths=(-1,)), "widths"),
    ],
)
def test_bad_arguments_name_themselves(call, name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected .*got") as info:
        call()
    assert len(str(info.value)) < 400


def test_import_attention_does_not_need_altair() -> None:
    code = (
        "import sys, attention, attention.explorables\n"
        "assert 'altair' not in sys.modules, 'altair imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
