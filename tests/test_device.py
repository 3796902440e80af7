from __future__ import annotations

import pytest
import torch

from attention import default_device


def test_default_is_cuda_when_available_else_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTENTION_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert default_device() == torch.device(expected)


def test_empty_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "")
    assert default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_override_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "cpu")
    assert default_device() == torch.device("cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_override_cuda_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "cuda:0")
    assert default_device() == torch.device("cuda:0")


@pytest.mark.parametrize("value", ["gpu0", "cuda:x", "banana", "cpu cpu"])
def test_unparsable_value(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", value)
    with pytest.raises(ValueError, match=rf"ATTENTION_DEVICE: .*got '{value}'"):
        default_device()


def test_cuda_index_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    index = torch.cuda.device_count() if torch.cuda.is_available() else 0
    monkeypatch.setenv("ATTENTION_DEVICE", f"cuda:{index}")
    with pytest.raises(ValueError, match=rf"ATTENTION_DEVICE: .*'cuda:{index}'"):
        default_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "cuda")
    with pytest.raises(ValueError, match=r"ATTENTION_DEVICE: .*available.*'cuda'"):
        default_device()


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="this machine has MPS")
def test_mps_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "mps")
    with pytest.raises(ValueError, match=r"ATTENTION_DEVICE: .*'mps'"):
        default_device()


def test_meta_is_not_a_usable_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_DEVICE", "meta")
    with pytest.raises(ValueError, match="ATTENTION_DEVICE"):
        default_device()
