"""Benchmarks (`python run.py bench`): speed per step and per weight, eq. (29)'s costs, memory against BPTT.

They may import the core and the protocol; nothing below them imports a benchmark (tests/test_layout.py)."""
