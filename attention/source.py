"""Show the package's own source in a notebook, so a page never retypes the code it explains."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Source:
    """The source of one function or class of this package.

    Jupyter displays it as a highlighted code block headed by its file and line numbers
    (``_repr_markdown_``); ``str()`` gives the plain code, for scripts.
    """

    def __init__(self, obj: Any) -> None:
        if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
            raise ValueError(f"obj: expected a function, method or class, got {type(obj).__name__}")
        lines, first = inspect.getsourcelines(obj)
        path = Path(inspect.getsourcefile(obj) or "").resolve()
        try:
            self.path = path.relative_to(_PACKAGE_ROOT).as_posix()
        except ValueError:  # an object from outside the package: show where it lives
            self.path = path.name
        self.first_line = first
        self.last_line = first + len(lines) - 1
        self.code = textwrap.dedent("".join(lines))  # methods are indented in their class

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"# {self.path}, lines {self.first_line}-{self.last_line}\n{self.code}"

    def _repr_markdown_(self) -> str:
        return (
            f"`{self.path}`, lines {self.first_line}-{self.last_line}\n\n"
            f"```python\n{self.code.rstrip()}\n```"
        )


def show_source(obj: Any) -> Source:
    """Return the source of ``obj`` (a function, method or class) for display.

    Args:
        obj: the object whose source to show, e.g. ``attention.masked_softmax``.

    Returns:
        A :class:`Source`; in Jupyter it renders as a highlighted block with file and lines.

    Raises:
        ValueError: if ``obj`` is not a function, method or class.
    """
    return Source(obj)
