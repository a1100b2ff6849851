"""Fixtures of the data tests."""

import urllib.error

import pytest

from nnlearn.data import _download


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No NNLEARN_DATA_DIR, a private cache, and a network that must not be used."""
    monkeypatch.delenv("NNLEARN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def no_network(url, timeout):
        raise urllib.error.URLError("network is unreachable (test)")

    monkeypatch.setattr(_download, "urlopen", no_network)
    return tmp_path
