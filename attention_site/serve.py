"""What makes ``mkdocs serve`` rebuilds fast and right; used by the ``attention-notebooks`` plugin.

A rebuild under ``mkdocs serve`` loads ``mkdocs.yml`` again, so the theme gets a new Jinja
environment and compiles every Material template again: about half of a rebuild's time after
a prose edit (``benchmarks/README.md`` has the profile). `SharedBytecode` keeps the compiled
templates in memory for the life of the server; Jinja checks each against its template's source,
so an edited template is compiled again.
"""

from __future__ import annotations

import logging

import jinja2


class SharedBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates, in memory, shared by every environment given it."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])  # dropped if the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


class DirtyBuildAnswered(logging.Filter):
    """Drops MkDocs' warning that a dirty build may leave pages stale, which would abort every
    ``mkdocs serve --dirty`` under ``strict: true``: the notebooks plugin re-renders the pages
    that a package edit changes (`NotebooksPlugin.invalidate`). A new page or a changed title
    still needs a restart of the server to reach the navigation of the other pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")
