"""Studies: what re-runs trials or reads results to explain them (carousel, drift, misses, plateau, wait, traces;
output.py: the JSON and README each writes).

They may import the core and the protocol; nothing below them imports a study (tests/test_layout.py)."""
