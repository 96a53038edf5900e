"""Serve the app: import the app's modules first, then hand over to `streamlit run` in the same process.

Streamlit imports a script's modules only when the first browser session runs it, so the first page a user
opened used to wait for pandas, DuckDB and the pages to import. Importing them here, before the server
starts, moves that cost out of the first render. Usage: python -m voc.app.launch APP.py [streamlit options]
[-- --store PATH].
"""

from __future__ import annotations

import sys


def warm_imports() -> None:
    """Import the app's modules before the Streamlit runtime exists, without its cache warnings."""
    import streamlit  # noqa: F401  (creates Streamlit's loggers, which set their own level once)

    from voc.quiet import quiet_loggers

    # The app's cached functions are decorated before the runtime exists, and Streamlit logs "No runtime
    # found, using MemoryCacheStorageManager" for each; the runtime starts right after, so that is noise.
    with quiet_loggers(
        "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api"
    ):
        import voc.app.main  # noqa: F401  (the pages, the insights and the store)


def main() -> int:
    """Warm the imports, then run `streamlit run` with this process's arguments."""
    from streamlit.web import cli

    warm_imports()
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
