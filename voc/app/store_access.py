"""The app's read-only, cached access to the store (the app never writes except theme edits)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from voc.store import Store


def store_path() -> Path:
    """The store named by `-- --store PATH` on the streamlit command line, else $VOC_STORE, else voc.duckdb."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.store or os.environ.get("VOC_STORE") or "voc.duckdb")


@st.cache_resource
def open_store(path: str) -> Store:
    """One read-only Store handle per path (connections are short-lived inside it)."""
    return Store(path, read_only=True)


@st.cache_data(ttl=60)
def query(path: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a read-only SQL query against the store, cached for a minute."""
    with open_store(path).reader() as con:
        return con.execute(sql, list(params)).df()
