"""pytest plugin for codex-mock: the `codex_mock` fixture (see plugin.py)."""

from .mock import CodexMock, Invocation, find_binaries

__all__ = ["CodexMock", "Invocation", "find_binaries"]
__version__ = "0.1.0"
