"""One YAML per table row: the schema, the defaults, and the loader that rejects bad input.

Two kinds of file:

  a row of the paper   flat and literal: it names every value it uses and cites the paper for
                       it; the paper's reported numbers for the row sit under the one nested key
                       `paper`.
  an ablation          `base: ROW` (the row it varies), `ablation: "..."` (required: one line on
                       what changes), optionally `title`, and then only the keys whose value
                       differs from the base row's (null: "not given", the default). It has no
                       `paper` block: load() lays its keys over the base row's mapping (raw()),
                       inherits the base's `paper` with `weights` recounted for the ablation's own
                       net, and draws the base's trial seeds (`seeds_of` defaults to the base's
                       seed row). A key equal to the base's value is refused, so the file shows
                       exactly what the ablation changes. The base is a row of the paper or
                       another ablation; `base` is not a key of the resolved config.

Every key a config may hold is listed in SCHEMA with its type, its check and its
meaning; a config names every value it uses (the defaults below exist so that a
key irrelevant to a row need not be written, not to hide choices). load() checks the
mapping once and resolves it into a frozen RowConfig (cfg.lr, cfg.stop, cfg.architecture,
...); nothing downstream reads the YAML mapping itself, and a variant of a row (a reading,
a short test config) is cfg.replace(key=value).

Errors name the file, the key and what was expected:

    tasks/configs/4-1.yaml: key 'lr': expected a number > 0, got 'fast'
    tasks/configs/4-1-lr1.yaml: key 'lr': equals the base row's value 0.5; leave it out
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Optional, Union
from pathlib import Path

import yaml

import tasks

from .architecture import Architecture, BIAS_CODES, CONNECTIVITY, SQUASH_VARIANTS, OUTPUT_UNITS

CONFIG_DIR = Path(tasks.__file__).parent / "configs"        # the row YAML files: data of tasks/
STOPS = ("ST3", "ST1ST2", "NSEQ", "ABS", "REBER")


class ConfigError(ValueError):
    pass


def _int(lo=None):
    def check(v):
        return isinstance(v, int) and not isinstance(v, bool) and (lo is None or v >= lo)
    return check, f"an integer{'' if lo is None else f' >= {lo}'}"


def _num(lo=None, strict=False):
    def check(v):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            return False
        return lo is None or (v > lo if strict else v >= lo)
    return check, f"a finite number{'' if lo is None else (' > ' if strict else ' >= ') + str(lo)}"


def _one_of(*choices):
    return (lambda v: v in choices), f"one of {list(choices)}"


def _str():
    return (lambda v: isinstance(v, str) and v != ""), "a non-empty string"


def _bool():
    return (lambda v: isinstance(v, bool)), "true or false"


def _biases():
    ok = lambda v: v == "r" or (isinstance(v, list) and len(v) > 0 and all(
        isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in v))
    return ok, "'r' (random) or a list of finite numbers, one per block"


def _dict():
    return (lambda v: isinstance(v, dict)), "a mapping"


# key: (check, meaning). Keys marked None in DEFAULTS must be given.
SCHEMA = {
    # --- identity
    "row": (_str(), "row id, e.g. 4-1; equals the file name"),
    "table": (_int(1), "the paper's table number"),
    "title": (_str(), "one line for humans"),
    "task": (_one_of("reber", "long_lag", "two_sequence", "adding", "multiplication", "temporal_order"),
             "task family (module of tasks/)"),
    # --- task parameters (passed to the family's generate())
    "variant": (_str(), "task variant: 2a/2b/2c, 3a/3b/3c, 6a/6b"),
    "T": (_int(2), "minimal sequence length (Exps. 3, 4, 5)"),
    "N": (_int(1), "informative elements (Exp. 3)"),
    "p": (_int(2), "alphabet parameter p (Exp. 2)"),
    "q": (_int(1), "time lag - 1 (Exp. 2c)"),
    "reber_target": (_one_of("next", "possible"), "Exp. 1 training target: next symbol or all legal next"),
    # --- which network (hochreiter97/models.py)
    "model": (_one_of("lstm97", "rnn", "lstm-forget", "gru"),
              "lstm97: the paper's LSTM (default); rnn: Table 2's conventional net; lstm-forget, gru: later cells (ablations)"),
    "trainer": (_one_of("rtrl", "bptt"), "model rnn: RTRL (weights change at every target step) or BPTT (at the sequence end)"),
    "ablation": (_str(), "what this row changes with respect to the paper: results are labelled as an ablation"),
    "reading": (_str(), "set by run.py reproduce ROW --reading NAME (hochreiter97/readings.py): results in ROW@NAME"),
    "model_ablation": (_one_of("rnn", "lstm-forget", "gru"),
                       "set by run.py reproduce ROW --model M (hochreiter97/models.ablation): results in ROW@M"),
    "seeds_of": (_str(), "draw the trial seeds of this row (an ablation: its base's, by default; the same sequences and initial weights)"),
    "cap_note": (_str(), "why a cap below the paper's (max_sequences) cannot change the outcome"),
    # --- architecture (Table 10)
    "n_in": (_int(1), "input units"),
    "n_out": (_int(1), "output units"),
    "blocks": (_int(1), "memory-cell blocks"),
    "block_size": (_int(1), "cells per block"),
    "hidden": (_int(0), "conventional hidden units (lstm97: eq. 6, 0 in every row; rnn, lstm-forget, gru: the hidden units)"),
    "connectivity": (_one_of(*CONNECTIVITY), "F or B"),
    "bias": (_one_of(*BIAS_CODES), "which units have bias weights"),
    "output_gate": (_bool(), "output gates present"),
    "squash": (_one_of(*SQUASH_VARIANTS), "g, h variant"),
    "output_unit": (_one_of(*OUTPUT_UNITS), "output units: logistic (the paper), or the ablation linear"),
    "init_range": (_num(0), "weights uniform in [-init_range, init_range]"),
    "in_gate_bias": (_biases(), "input-gate biases"),
    "out_gate_bias": (_biases(), "output-gate biases"),
    # --- learning
    "lr": (_num(0, strict=True), "learning rate alpha"),
    "timing": (_one_of("step", "sequence", "late"), "when weights change (SPEC §2.4); late: summed, landing after "
               "the next sequence's first step (Hochreiter's simulator, reading jku)"),
    "reset_activation": (_one_of(0.0, 0.5), "y(t-1) of cells, gates and hidden units at a sequence start: 0 (SPEC §1.4), "
                         "or 0.5 (Hochreiter's simulator, reading jku)"),
    "hidden_bias": (_bool(), "the outputs' bias unit sits in the hidden layer, so gates and cells also read it at "
                    "t-1 (Hochreiter's simulator, reading jku); needs bias all and connectivity F"),
    "gate_bias_init": (_one_of("set", "add"), "a listed gate bias is the bias weight (set), or is added to its random "
                       "draw (add: Hochreiter's simulator, reading jku)"),
    "output_error": (_one_of("eq19", "xent"), "e_k: eq. (19), or the ablation xent (t - y, no f')"),
    # --- protocol
    "trials": (_int(1), "trials in the paper"),
    "stop": (_one_of(*STOPS), "stopping rule"),
    "max_sequences": (_int(1), "training cap (sequence presentations)"),
    "correct_threshold": (_num(0, strict=True), "a sequence is correct when every output is within this of its target"),
    "window": (_int(1), "recent training sequences watched by ST3 and NSEQ"),
    "beta": (_num(0, strict=True), "ST3(beta): average training error bound"),
    "st3_error": (_one_of("sse", "mse", "mae"), "what 'average training error' averages"),
    "n_seq": (_int(1), "NSEQ: stop once fewer than n_seq of the window are wrong"),
    "abs_streak": (_int(1), "ABS: successive sequences that must satisfy the criterion"),
    "abs_at": (_one_of("end", "every"), "ABS: judge the last target step or every target step"),
    "abs_test": (_one_of("online", "frozen"), "ABS: the streak is of training sequences (online) or of fresh test sequences, weights frozen"),
    "st1_max_wrong": (_int(0), "ST1: at most this many of st_test_size misclassified"),
    "st2_mean_abs": (_num(0, strict=True), "ST2: mean absolute test error bound"),
    "st_test_size": (_int(1), "ST1/ST2: size of the fixed test set"),
    "check_fraction": (_num(0, strict=True), "test-set stopping rules are checked every check_fraction * sequences seen"),
    "check_min": (_int(1), "... but at least every check_min sequences"),
    "test_size": (_int(0), "final test sequences"),
    "reber_train": (_int(1), "Exp. 1 training strings"),
    "reber_test": (_int(1), "Exp. 1 test strings"),
    "reber_inits": (_int(1), "Exp. 1 weight initialisations per training/test set pair"),
    "reber_distinct": (_bool(), "Exp. 1: the strings of each set all differ (a set of strings), or are drawn "
                       "independently and may repeat (false)"),
    "construction_window": (_int(0), "2a: sequences per error average (0: the cell is present from the start)"),
    "construction_min_gain": (_num(0), "2a: relative decrease below which the error 'stopped decreasing'"),
    "paper": (_dict(), "the paper's reported numbers for this row"),
}

DEFAULTS = {
    "model": "lstm97", "trainer": None, "ablation": None, "model_ablation": None, "seeds_of": None, "cap_note": None,
    "variant": None, "T": None, "N": None, "p": None, "q": None, "reber_target": "next",
    "hidden": 0, "connectivity": "F", "squash": "standard", "output_unit": "logistic", "output_gate": True,
    "in_gate_bias": "r", "out_gate_bias": "r", "timing": "step", "output_error": "eq19",
    "reset_activation": 0.0, "gate_bias_init": "set", "hidden_bias": False, "reading": None,
    "window": 2000, "beta": None, "st3_error": "sse", "n_seq": None,
    "abs_streak": 10000, "abs_at": "end", "abs_test": "online", "st1_max_wrong": None, "st2_mean_abs": None,
    "st_test_size": 256, "check_fraction": 0.005, "check_min": 50, "test_size": 2560,
    "reber_train": 256, "reber_test": 256, "reber_inits": 10, "reber_distinct": False,
    "construction_window": 0, "construction_min_gain": 0.0, "title": None, "correct_threshold": None,
}
REQUIRED = ["row", "table", "task", "n_in", "n_out", "bias", "init_range",
            "lr", "trials", "stop", "max_sequences", "paper"]
# keys that only the 1997 LSTM reads; a row of another model must not give them
LSTM_KEYS = ("blocks", "block_size", "output_gate", "squash", "output_unit", "in_gate_bias", "out_gate_bias", "timing", "output_error",
             "construction_window", "construction_min_gain", "reset_activation", "gate_bias_init", "hidden_bias")

TASK_PARAMS = {
    "reber": ("reber_target",), "long_lag": ("variant", "p", "q"), "two_sequence": ("variant", "T", "N"),
    "adding": ("T",), "multiplication": ("T",), "temporal_order": ("variant",),
}
STOP_PARAMS = {"ST3": ("beta",), "NSEQ": ("n_seq",), "ST1ST2": ("st1_max_wrong", "st2_mean_abs"),
               "ABS": (), "REBER": ()}
# every key that only some tasks or stopping rules read, and who reads it: a row may not give one it ignores
TASK_ONLY = {**{k: tuple(t for t, ks in TASK_PARAMS.items() if k in ks) for ks in TASK_PARAMS.values() for k in ks},
             **{k: ("reber",) for k in ("reber_train", "reber_test", "reber_inits", "reber_distinct")}}
STOP_ONLY = {"beta": ("ST3",), "st3_error": ("ST3",), "window": ("ST3", "NSEQ"), "n_seq": ("NSEQ",),
             "st1_max_wrong": ("ST1ST2",), "st2_mean_abs": ("ST1ST2",), "st_test_size": ("ST1ST2",),
             "abs_streak": ("ABS",), "abs_at": ("ABS",), "abs_test": ("ABS",),
             "check_fraction": ("ST1ST2", "ABS", "REBER"), "check_min": ("ST1ST2", "ABS", "REBER"),
             "correct_threshold": ("ST3", "NSEQ", "ST1ST2", "ABS")}


@dataclass(frozen=True)
class RowConfig:
    """A row resolved once, at load: every key of SCHEMA an attribute (its meaning: SCHEMA), defaults filled in.

    Frozen: a variant is row.replace(key=value, ...); to_dict() is what results/ROW/config.yaml keeps
    and what a trial's fingerprint hashes."""
    # identity
    row: Optional[str] = None
    table: Optional[int] = None
    title: Optional[str] = None
    ablation: Optional[str] = None
    reading: Optional[str] = None
    model_ablation: Optional[str] = None
    seeds_of: Optional[str] = None
    cap_note: Optional[str] = None
    # the task
    task: Optional[str] = None
    variant: Optional[str] = None
    T: Optional[int] = None
    N: Optional[int] = None
    p: Optional[int] = None
    q: Optional[int] = None
    reber_target: Optional[str] = "next"
    # the network
    model: Optional[str] = "lstm97"
    trainer: Optional[str] = None
    n_in: Optional[int] = None
    n_out: Optional[int] = None
    blocks: Optional[int] = None
    block_size: Optional[int] = None
    hidden: Optional[int] = 0
    connectivity: Optional[str] = "F"
    bias: Optional[str] = None
    output_gate: Optional[bool] = True
    squash: Optional[str] = "standard"
    output_unit: Optional[str] = "logistic"
    init_range: Optional[float] = None
    in_gate_bias: Union[str, list, None] = "r"
    out_gate_bias: Union[str, list, None] = "r"
    gate_bias_init: Optional[str] = "set"
    reset_activation: Optional[float] = 0.0
    hidden_bias: Optional[bool] = False
    # learning
    lr: Optional[float] = None
    timing: Optional[str] = "step"
    output_error: Optional[str] = "eq19"
    construction_window: Optional[int] = 0
    construction_min_gain: Optional[float] = 0.0
    # the protocol
    trials: Optional[int] = None
    stop: Optional[str] = None
    max_sequences: Optional[int] = None
    correct_threshold: Optional[float] = None
    window: Optional[int] = 2000
    beta: Optional[float] = None
    st3_error: Optional[str] = "sse"
    n_seq: Optional[int] = None
    abs_streak: Optional[int] = 10000
    abs_at: Optional[str] = "end"
    abs_test: Optional[str] = "online"
    st1_max_wrong: Optional[int] = None
    st2_mean_abs: Optional[float] = None
    st_test_size: Optional[int] = 256
    check_fraction: Optional[float] = 0.005
    check_min: Optional[int] = 50
    test_size: Optional[int] = 2560
    reber_train: Optional[int] = 256
    reber_test: Optional[int] = 256
    reber_inits: Optional[int] = 10
    reber_distinct: Optional[bool] = False
    # the paper's figures for the row
    paper: dict = field(default_factory=dict)

    def replace(self, **changes) -> "RowConfig":
        unknown = sorted(set(changes) - set(SCHEMA))
        if unknown:
            raise ConfigError(f"row {self.row}: unknown key {unknown[0]!r} (known keys: {', '.join(SCHEMA)})")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def architecture(self) -> Architecture:
        return architecture(self)


def _required_here(cfg) -> list:
    """Keys a row must give because of its task and stopping rule (checked after REQUIRED)."""
    if cfg.get("task") is None or cfg.get("stop") is None:
        return []
    keys = [k for k in TASK_PARAMS[cfg["task"]] if k != "reber_target"]
    if cfg["task"] == "long_lag" and cfg.get("variant") != "2c":
        keys.remove("q")                                   # q is 2c's lag; 2a/2b have none
    keys += list(STOP_PARAMS[cfg["stop"]])
    keys += ["blocks", "block_size"] if cfg.get("model", "lstm97") == "lstm97" else ["hidden"]
    keys += ["trainer"] if cfg.get("model") == "rnn" else []
    if cfg["stop"] != "REBER":                             # Exp. 1 judges by the most active outputs
        keys.append("correct_threshold")
    return keys


def validate(raw, source="<config>") -> "RowConfig":
    """Check every key and value of a parsed config; return it resolved, defaults filled in."""
    def fail(key, expected, got):
        raise ConfigError(f"{source}: key {key!r}: expected {expected}, got {got!r}")

    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping of keys to values, got {type(raw).__name__}")
    for key, value in raw.items():
        if key not in SCHEMA:
            raise ConfigError(f"{source}: unknown key {key!r} (known keys: {', '.join(SCHEMA)})")
        check, expected = SCHEMA[key][0]
        if value is not None and not check(value):
            fail(key, expected, value)
    cfg = dict(DEFAULTS, **{k: v for k, v in raw.items() if v is not None})    # null: not given
    for key in REQUIRED + _required_here(cfg):
        if cfg.get(key) is None:
            fail(key, SCHEMA[key][0][1] + f" ({SCHEMA[key][1]}), required here", None)
    for key, value in raw.items():       # a key this row's task or stopping rule ignores, set to something
        readers = TASK_ONLY.get(key, ()) if key in TASK_ONLY else STOP_ONLY.get(key, ())
        own = cfg["task"] if key in TASK_ONLY else cfg["stop"]
        if value is not None and value != DEFAULTS.get(key) and readers and own not in readers:
            fail(key, f"no such key for {'task' if key in TASK_ONLY else 'stopping rule'} {own!r} "
                      f"(read by {', '.join(readers)})", value)
    variants = getattr(tasks.FAMILIES[cfg["task"]], "VARIANTS", None)
    if variants is not None and cfg["variant"] not in variants:
        fail("variant", f"one of {list(variants)} (the variants of task {cfg['task']!r})", cfg["variant"])
    if cfg["model"] != "lstm97":
        return _validate_baseline(raw, cfg, fail)
    if cfg["trainer"] is not None:
        fail("trainer", "no trainer for model lstm97 (it learns by the paper's rule)", cfg["trainer"])
    for key in ("in_gate_bias", "out_gate_bias"):
        if cfg[key] != "r" and len(cfg[key]) != cfg["blocks"]:
            fail(key, f"{cfg['blocks']} values (one per block)", cfg[key])
    row = RowConfig(**cfg)
    try:
        architecture(row)
    except ValueError as e:                                # "Architecture.KEY: ...": the config's key KEY
        raise ConfigError(f"{source}: " + re.sub(r"^Architecture\.(\w+):", r"key '\1':", str(e))) from None
    return row


def _validate_baseline(raw, cfg, fail) -> "RowConfig":
    """A row of another model: no LSTM keys; at least one hidden unit; rnn's bias is all or nothing."""
    rtrl_keys = ("timing", "reset_activation") if cfg["model"] == "rnn" else ()   # Table 2's net: reading jku
    for key in LSTM_KEYS:
        if key in rtrl_keys:
            cfg[key] = raw.get(key)                        # None: the net's own default (step, 0)
            continue
        if raw.get(key) is not None and (key, raw[key]) != ("construction_window", 0):   # 0: whole from the start
            fail(key, f"no such key for model {cfg['model']!r} (only the 1997 LSTM has it)", raw[key])
        cfg[key] = None
    if cfg["model"] == "rnn" and cfg["timing"] not in (None, "step", "sequence"):
        fail("timing", "'step' or 'sequence' (Table 2's net: RTRL's changes at every target step or at the end)",
             cfg["timing"])
    if cfg["model"] == "rnn" and cfg["timing"] == "sequence" and cfg["trainer"] != "rtrl":
        fail("timing", "'step' for trainer bptt (BPTT's changes land at the sequence end anyway)", cfg["timing"])
    cfg["construction_window"] = 0                         # the network is whole from the start
    if cfg["hidden"] < 1:
        fail("hidden", f"an integer >= 1 (hidden units of model {cfg['model']!r})", cfg["hidden"])
    if cfg["model"] == "rnn" and cfg["bias"] not in ("none", "all"):
        fail("bias", "'none' or 'all' (the conventional net biases every unit or none)", cfg["bias"])
    if cfg["model"] == "rnn" and cfg["connectivity"] != "B":
        fail("connectivity", "'B' (Table 2's net: the outputs read the inputs and the hidden unit)", cfg["connectivity"])
    if cfg["model"] != "rnn" and cfg["trainer"] is not None:
        fail("trainer", f"no trainer for model {cfg['model']!r} (full BPTT)", cfg["trainer"])
    return RowConfig(**cfg)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(f"key {key!r}: given twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep)


def parse(text: str, source="<config>"):
    """YAML text to Python values: safe, with duplicate keys an error."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {' '.join(str(e).split())}") from None


def _path(row_or_path) -> Path:
    path = Path(row_or_path)
    if not path.suffix:
        path = CONFIG_DIR / f"{row_or_path}.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: no such config (rows: {', '.join(rows())})")
    return path


def _read(path: Path):
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot be read ({e})") from None
    return parse(text, str(path))


# keys of an ablation file that are not overrides of the base row's values
ABLATION_OWN = ("row", "base", "ablation", "seeds_of")


def raw(row_or_path, _chain=()):
    """The mapping a file stands for, before validation (defaults not filled in).

    A row of the paper: its YAML as written. An ablation (key `base`): the base row's mapping
    (resolved the same way) without its `row`, then `seeds_of` set to the base's seed row, then the
    ablation's own keys; `paper` is the base's, with `weights` recounted for the ablation's net.
    """
    path = _path(row_or_path)
    own = _read(path)
    if not isinstance(own, dict) or "base" not in own:
        return own
    base = own["base"]
    if not isinstance(base, str) or base not in rows():
        raise ConfigError(f"{path}: key 'base': expected an existing row (tasks/configs/ROW.yaml), got {base!r}")
    chain = _chain + (path.resolve(),)
    base_path = CONFIG_DIR / f"{base}.yaml"
    if base_path.resolve() in chain:
        raise ConfigError(f"{path}: key 'base': row {base!r} is in a loop of bases "
                          f"({' -> '.join(p.stem for p in chain + (base_path,))})")
    if own.get("ablation") is None:
        raise ConfigError(f"{path}: key 'ablation': required with 'base' "
                          f"(one line: what this row changes with respect to row {base})")
    if "paper" in own:
        raise ConfigError(f"{path}: key 'paper': inherited from the base row {base}; leave it out")
    base_raw = raw(base, chain)
    base_cfg = validate(base_raw, str(base_path))
    for key, value in own.items():
        if key in ABLATION_OWN or key not in SCHEMA:       # an unknown key: validate() names it
            continue
        effective, was = DEFAULTS.get(key) if value is None else value, getattr(base_cfg, key)
        if effective == was and isinstance(effective, bool) == isinstance(was, bool):
            raise ConfigError(f"{path}: key {key!r}: equals the base row's value {was!r}; leave it out")
    merged = {k: v for k, v in base_raw.items() if k != "row"}
    merged["seeds_of"] = base_cfg.seeds_of or base        # the base's trial seeds: its sequences
    merged.update((k, v) for k, v in own.items() if k != "base")
    cfg = validate(merged, str(path))
    from .models import n_weights             # imports this module
    merged["paper"] = dict(base_raw["paper"], weights=n_weights(cfg))
    return merged


def load(row_or_path) -> RowConfig:
    """Load tasks/configs/ROW.yaml (or a path), an ablation laid over its base row (raw()), and validate it."""
    path = _path(row_or_path)
    cfg = validate(raw(path), str(path))
    if cfg.row != path.stem:
        raise ConfigError(f"{path}: key 'row': expected {path.stem!r} (the file name), got {cfg.row!r}")
    if cfg.seeds_of is not None and cfg.seeds_of not in rows():
        raise ConfigError(f"{path}: key 'seeds_of': expected an existing row (tasks/configs/ROW.yaml), "
                          f"got {cfg.seeds_of!r}")
    return cfg


def rows() -> list:
    """Every row id, in the paper's order: Table 2's competitors (rtrl-*, bptt-*) after 2a,
    an ablation (ROW-name) right after its row."""
    return sorted((p.stem for p in CONFIG_DIR.glob("*.yaml")), key=row_order)


def row_order(stem: str) -> tuple:
    natural = tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", stem))
    for rank, prefix in enumerate(("rtrl-", "bptt-"), 1):
        if stem.startswith(prefix):
            return ("2a", 0, rank, natural)
    head, _, tail = stem.partition("-")
    number, _, rest = tail.partition("-")
    if tail and not number.isdigit():                      # "2a-frozen": a reading of row 2a
        return (head, 0, 3, natural)
    return (head, int(number) if number.isdigit() else 0, 3 if rest else 0, natural if rest else ())


def architecture(cfg: RowConfig) -> Architecture:
    bias = lambda v: None if v == "r" else tuple(v)
    return Architecture(n_in=cfg.n_in, n_out=cfg.n_out, blocks=cfg.blocks, block_size=cfg.block_size,
                        hidden=cfg.hidden, connectivity=cfg.connectivity, bias=cfg.bias,
                        output_gate=cfg.output_gate, squash=cfg.squash, output_unit=cfg.output_unit,
                        init_range=float(cfg.init_range), gate_bias_init=cfg.gate_bias_init,
                        reset_activation=float(cfg.reset_activation), hidden_bias=bool(cfg.hidden_bias),
                        in_gate_bias=bias(cfg.in_gate_bias), out_gate_bias=bias(cfg.out_gate_bias))


def task_params(cfg: RowConfig) -> dict:
    """Keyword arguments for the task family's generate()."""
    names = {"reber_target": "target"}
    return {names.get(k, k): getattr(cfg, k) for k in TASK_PARAMS[cfg.task] if getattr(cfg, k) is not None}
