"""The row loader under random edits: a config is either accepted and round-trips, or refused naming the key."""
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from hochreiter97 import config

ROWS = config.rows()
STRUCTURAL = {"model", "task", "stop", "variant", "trainer", "bias", "blocks", "n_in", "n_out", "output_gate",
              "connectivity", "hidden"}                  # a change here makes other keys required, forbidden or wrong
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**7, 10**7), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["r", "F", "B", "ST3", "ABS", "lstm97", "rnn", "standard", "linear", "end", "", "x"]),
    st.lists(st.one_of(st.integers(-10, 10), st.floats(-10, 10), st.text(max_size=2)), max_size=3))


def raw(row):
    """The row's mapping before validation: an ablation's base with its keys laid over (config.raw)."""
    return config.raw(row)


@st.composite
def edits(draw):
    row = draw(st.sampled_from(ROWS))
    cfg = raw(row)
    kind = draw(st.sampled_from(["set", "delete", "add"]))
    if kind == "set":
        key = draw(st.sampled_from(sorted(k for k in config.SCHEMA if k not in ("row", "paper"))))
        cfg[key] = draw(VALUES)
    elif kind == "delete":
        key = draw(st.sampled_from(sorted(k for k in cfg if k != "row")))
        del cfg[key]
    else:
        key = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(lambda k: k not in config.SCHEMA))
        cfg[key] = draw(VALUES)
    return row, kind, key, cfg


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_an_edited_config_round_trips_or_is_refused_naming_the_key(edit):
    row, kind, key, cfg = edit
    source = f"tasks/configs/{row}.yaml"
    try:
        resolved = config.validate(cfg, source)
    except config.ConfigError as e:
        message = str(e)
        assert message.startswith(source + ": ") and "\n" not in message
        named = re.findall(r"key '([^']+)'", message)
        assert named and set(named) <= set(config.SCHEMA) | {key}, message
        if kind == "set" and key not in STRUCTURAL:    # a value refused: that key is the one named
            assert key in named, message
        return
    again = config.validate(config.parse(yaml.safe_dump(resolved.to_dict(), sort_keys=False)), source)
    assert again == resolved


@pytest.mark.parametrize("text, expected", [
    ("row: 6a\nlr: 0.5\nlr: 0.6\n", "key 'lr': given twice (line 3)"),
    ("row: 6a\npaper:\n  weights: 1\n  weights: 2\n", "key 'weights': given twice (line 4)"),
])
def test_a_key_given_twice_is_refused(text, expected):
    with pytest.raises(config.ConfigError, match=re.escape(f"x.yaml: {expected}")):
        config.parse(text, "x.yaml")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_numbers_are_refused(value):
    cfg = raw("6a")
    cfg["lr"] = config.parse(f"v: {value}")["v"]
    with pytest.raises(config.ConfigError, match=r"key 'lr': expected a finite number > 0"):
        config.validate(cfg, "6a.yaml")
