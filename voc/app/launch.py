"""Serve the app: import the app's modules first, then hand over to `streamlit run` in the same process.

Streamlit imports a script's modules only when the first browser session runs it, so the first page a user
opened used to wait for pandas, DuckDB and the pages to import. Importing them here, before the server
starts, moves that cost out of the first render. The objects those imports created are then frozen out of the
garbage collector (`gc.freeze`): Streamlit runs a full collection after every script run, in every session,
holding the GIL, and without the freeze each one walked the whole imported heap (0.1-0.5 s per page view on
2 busy cores, so 10 sessions opening a page queued behind 10 collections). With sign-in configured
(`app.auth`), Streamlit's `[auth]` secrets are written to a private temp folder first and Streamlit reads
only that file.
Usage: python -m voc.app.launch APP.py [streamlit options] [-- --store PATH [--config YAML]].
"""

from __future__ import annotations

import gc
import importlib
import sys

# Modules the pages import on first use: importing them in a session costs that session the time, and
# concurrent sessions wait on the import lock.
LAZY_IMPORTS = (
    "streamlit.emojis",  # the first st.info / st.warning with an icon
    "voc.lenses.rootcause_model",  # the Review page's queue
    "voc.lenses.subcause_taxonomy",  # the Root causes and Manage themes pages
)


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
    for name in LAZY_IMPORTS:
        importlib.import_module(name)


def freeze_heap() -> None:
    """Collect once, then keep every object alive now out of later collections (they live as long as the server)."""
    gc.collect()
    gc.freeze()


def streamlit_argv(argv: list[str]) -> list[str]:
    """`streamlit run` arguments for this launcher's arguments, plus the secrets file when sign-in is configured."""
    from voc.app.settings import app_settings, write_auth_secrets

    script_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    auth = app_settings(script_args).auth
    if auth is None:
        return ["streamlit", "run", *argv]
    secrets = write_auth_secrets(auth)
    return ["streamlit", "run", "--secrets.files", str(secrets), *argv]


def main() -> int:
    """Warm the imports, write the sign-in secrets if any, then run `streamlit run` with this process's arguments."""
    from streamlit.web import cli

    warm_imports()
    sys.argv = streamlit_argv(sys.argv[1:])
    freeze_heap()
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
