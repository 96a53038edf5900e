"""Streamlit entry: `streamlit run app.py -- --store PATH` (or `voc app --store PATH`; VOC_STORE works too)."""

from voc.app.main import main

main()
