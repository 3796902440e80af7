"""The site's build machinery: MkDocs plugins that execute the chapters and finish their pages.

Not part of the ``attention`` package that readers import; installed with it so that MkDocs
finds the plugins through their ``mkdocs.plugins`` entry points (see ``pyproject.toml``).
"""
