from __future__ import annotations

import math

import pytest
import torch

from attention import PositionalEncoding


@pytest.mark.parametrize("num_hiddens", [1, 4, 7, 32])
def test_encoding_formula_elementwise(num_hiddens: int) -> None:
    max_len = 60
    P = PositionalEncoding(num_hiddens, max_len=max_len).P
    assert P.shape == (1, max_len, num_hiddens) and P.dtype == torch.float32
    for i in range(max_len):
        for col in range(num_hiddens):
            j = col // 2
            angle = i / 10000 ** (2 * j / num_hiddens)
            expected = math.sin(angle) if col % 2 == 0 else math.cos(angle)
            assert P[0, i, col].item() == pytest.approx(expected, abs=1e-6)


def test_far_positions_are_accurate() -> None:
    P = PositionalEncoding(16, max_len=1000).P
    i, col = 999, 2  # angle = 999 / 10000^(2/16)
    assert P[0, i, col].item() == pytest.approx(math.sin(999 / 10000 ** (2 / 16)), abs=1e-6)


def test_forward_adds_the_first_rows(device: torch.device) -> None:
    encoding = PositionalEncoding(6, dropout=0.0, max_len=20).to(device)
    X = torch.randn(3, 5, 6, generator=torch.Generator().manual_seed(0)).to(device)
    torch.testing.assert_close(encoding(X), X + encoding.P[:, :5])
    assert encoding.P.device.type == device.type  # the buffer moved with the module


def test_forward_keeps_the_input_dtype() -> None:
    encoding = PositionalEncoding(4, max_len=8)
    assert encoding(torch.zeros(1, 8, 4, dtype=torch.float64)).dtype == torch.float64
    assert encoding(torch.zeros(1, 8, 4, dtype=torch.bfloat16)).dtype == torch.bfloat16


def test_dropout_in_training_mode() -> None:
    encoding = PositionalEncoding(8, dropout=0.5)
    X = torch.ones(2, 10, 8)
    torch.manual_seed(0)
    assert (encoding.train()(X) == 0).any()
    torch.testing.assert_close(encoding.eval()(X), X + encoding.P[:, :10])


def test_buffer_is_not_a_parameter_nor_saved() -> None:
    encoding = PositionalEncoding(4)
    assert list(encoding.parameters()) == []
    assert "P" not in encoding.state_dict()


def test_every_position_has_a_distinct_code() -> None:
    P = PositionalEncoding(16, max_len=200).P[0]
    distances = torch.cdist(P, P) + torch.eye(200) * 1e9
    assert distances.min() > 0.1


def test_errors() -> None:
    encoding = PositionalEncoding(4, max_len=10)
    with pytest.raises(
        ValueError, match=r"X: expected length L <= max_len=10, got shape \(1, 11, 4\)"
    ):
        encoding(torch.zeros(1, 11, 4))
    with pytest.raises(ValueError, match=r"X: expected num_hiddens=4 .*got shape \(1, 3, 5\)"):
        encoding(torch.zeros(1, 3, 5))
    with pytest.raises(
        ValueError, match=r"X: expected shape \(batch, L, num_hiddens\), got \(3, 4\)"
    ):
        encoding(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="num_hiddens: expected an integer >= 1, got 0"):
        PositionalEncoding(0)
    with pytest.raises(ValueError, match="max_len: expected an integer >= 1, got 0"):
        PositionalEncoding(4, max_len=0)
