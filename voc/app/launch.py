"""Serve the app: import the app's modules first, then hand over to `streamlit run` in the same process.

Streamlit imports a script's modules only when the first browser session runs it, so the first page a user
opened used to wait for pandas, DuckDB and the pages to import. Importing them here, before the server
starts, moves that cost out of the first render. Usage: python -m voc.app.launch APP.py [streamlit options]
[-- --store PATH].
"""

from __future__ import annotations

import sys


def main() -> int:
    """Warm the imports, then run `streamlit run` with this process's arguments."""
    from streamlit.web import cli

    import voc.app.main  # noqa: F401  (the pages, the insights and the store)

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
