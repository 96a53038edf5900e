"""The app's read-only access to the store: path resolution, a version token for caches, raw queries."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from voc.app.fact import store_content_version
from voc.store import Store


def store_path() -> Path:
    """The store named by `-- --store PATH` on the streamlit command line, else $VOC_STORE, else voc.duckdb."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.store or os.environ.get("VOC_STORE") or "voc.duckdb")


@st.cache_resource(show_spinner=False)
def open_store(path: str) -> Store:
    """One read-only Store handle per path (connections are short-lived inside it)."""
    return Store(path, read_only=True)


def run_query(path: str, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run one read-only SQL query on a short-lived connection (uncached; callers cache)."""
    with open_store(path).reader() as session:
        return session.con.execute(sql, list(params)).df()


@st.cache_data(show_spinner=False, max_entries=16)
def content_version(path: str, file_ver: str) -> str:
    """A token for the documents and predictions only (theme renames and edits leave it unchanged)."""
    return store_content_version(path)
