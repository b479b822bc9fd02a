"""Tests of the task generators (tasks/*.py) against the paper's rules (SPEC §4)."""
import itertools

import numpy as np
import pytest

import tasks
from tasks import adding, long_lag, multiplication, reber, temporal_order, two_sequence


def draws(module, n, seed=0, **params):
    """n draws (with info) from one generator seeded with `seed`."""
    rng = np.random.default_rng(seed)
    return [module.generate(rng, **params, info=True) for _ in range(n)]


def assert_variance(samples, var, n_se=5.0):
    """Sample variance equals var within n_se standard errors (Gaussian samples)."""
    samples = np.asarray(samples)
    se = var * np.sqrt(2.0 / (len(samples) - 1))
    assert abs(samples.var(ddof=1) - var) < n_se * se, (samples.var(ddof=1), var)


# ---------------------------------------------------------------- every generator

CONFIGS = [
    ("reber", {}),
    ("reber", {"target": "possible"}),
    ("long_lag", {"variant": "2a", "p": 10}),
    ("long_lag", {"variant": "2b", "p": 10}),
    ("long_lag", {"variant": "2c", "p": 6, "q": 20}),
    ("two_sequence", {"variant": "3a", "T": 100, "N": 3}),
    ("two_sequence", {"variant": "3b", "T": 100, "N": 1}),
    ("two_sequence", {"variant": "3c", "T": 100, "N": 3}),
    ("adding", {"T": 100}),
    ("multiplication", {"T": 100}),
    ("temporal_order", {"variant": "6a"}),
    ("temporal_order", {"variant": "6b"}),
]
IDS = [f"{name}-{'-'.join(map(str, params.values()))}" for name, params in CONFIGS]


def test_families_registry():
    assert tasks.FAMILIES == {"reber": reber, "long_lag": long_lag,
                              "two_sequence": two_sequence, "adding": adding,
                              "multiplication": multiplication,
                              "temporal_order": temporal_order}


@pytest.mark.parametrize("name,params", CONFIGS, ids=IDS)
def test_shapes_and_dtypes(name, params):
    module = tasks.FAMILIES[name]
    n_in, n_out = len(module.input_names(**params)), len(module.output_names(**params))
    for inputs, targets, mask, info in draws(module, 20, seed=1, **params):
        assert isinstance(info, dict)
        assert inputs.dtype == np.float64 and targets.dtype == np.float64
        assert mask.dtype == np.bool_
        L = len(mask)
        assert L > 0 and inputs.shape == (L, n_in) and targets.shape == (L, n_out)
        assert mask[-1], "every task has a target at the last step"
        assert np.all(targets[~mask] == 0.0)
    rng = np.random.default_rng(1)
    assert len(module.generate(rng, **params)) == 3


@pytest.mark.parametrize("name,params", CONFIGS, ids=IDS)
def test_deterministic_and_pure(name, params):
    module = tasks.FAMILIES[name]
    np.random.seed(123)
    global_state = np.random.get_state()[1].copy()
    a = draws(module, 5, seed=7, **params)
    b = draws(module, 5, seed=7, **params)
    c = draws(module, 5, seed=8, **params)
    assert np.array_equal(np.random.get_state()[1], global_state), "global RNG touched"
    for x, y in zip(a, b):
        for u, v in zip(x[:3], y[:3]):
            assert np.array_equal(u, v)
        assert repr(x[3]) == repr(y[3])
    assert any(x[0].shape != z[0].shape or not np.array_equal(x[0], z[0]) for x, z in zip(a, c))


# ---------------------------------------------------------------- Experiment 1: Reber

VALID = ["BTSSXXTVVE", "BPVVE", "BTXXVPSE", "BPVPXVPXVPXVVE", "BTSXXVPSE"]
INVALID = ["BTSSPXSE", "BPTVVB", "BTXXVVSE", "BPVSPSE", "BTSSSE"]


def test_reber_accepts_orr_examples():
    for s in VALID:
        assert reber.accepts(s), s
    for s in INVALID:
        assert not reber.accepts(s), s
    for s in VALID:  # a plain string is not an embedded one, and vice versa
        assert not reber.accepts_embedded(s)
        assert reber.accepts_embedded("BT" + s + "TE") and reber.accepts_embedded("BP" + s + "PE")
        assert not reber.accepts_embedded("BT" + s + "PE")
        assert not reber.accepts("BT" + s + "TE")
    assert not reber.accepts("") and not reber.accepts("BTSSXXTVV")  # incomplete


def test_reber_string_counts_by_enumeration():
    length8, length20 = reber.enumerate_strings(8), reber.enumerate_strings(20)
    assert len(set(length8)) == len(length8) == 7
    assert len(set(length20)) == len(length20) == 783
    assert all(reber.accepts(s) and len(s) == 20 for s in length20)
    # independent brute force over every B??????E string
    brute = {"B" + "".join(m) + "E" for m in itertools.product("TPSXV", repeat=6)
             if reber.accepts("B" + "".join(m) + "E")}
    assert brute == set(length8)
    # the shortest embedded string has length 9 (Table 10: p = 9)
    assert reber.enumerate_strings(8, embedded=True) == []
    assert set(reber.enumerate_strings(9, embedded=True)) == {
        "BTBTXSETE", "BTBPVVETE", "BPBTXSEPE", "BPBPVVEPE"}


def test_reber_generated_strings_are_grammatical():
    rng = np.random.default_rng(0)
    plain = [reber.reber_string(rng) for _ in range(300)]
    embedded = [reber.embedded_string(rng) for _ in range(300)]
    assert all(reber.accepts(s) for s in plain)
    assert all(reber.accepts_embedded(s) for s in embedded)
    assert all(s[1] == s[-2] and s[1] in "TP" and s[2] == "B" for s in embedded)
    assert {s[1] for s in embedded} == {"T", "P"}
    assert 0.4 < np.mean([s[1] == "T" for s in embedded]) < 0.6
    assert min(len(s) for s in embedded) == 9


def test_reber_coding_local_distinct_nonzero():
    assert reber.input_names() == reber.output_names() == list("BTPSXVE")
    codes = {}
    for inputs, targets, _, info in draws(reber, 200, seed=2):
        s = info["string"]
        for c, row in zip(s[:-1], inputs):
            codes.setdefault(c, set()).add(tuple(row))
        for c, row in zip(s[1:], targets):
            codes.setdefault(c, set()).add(tuple(row))
    assert set(codes) == set("BTPSXVE")
    vectors = []
    for c, rows in codes.items():
        assert len(rows) == 1, f"symbol {c} coded inconsistently"
        v = np.array(next(iter(rows)))
        assert v.sum() == 1.0 and v.max() == 1.0, f"{c} not one-hot"
        assert v[reber.input_names().index(c)] == 1.0
        vectors.append(v)
    assert len({tuple(v) for v in vectors}) == 7


def test_reber_encode_next_and_possible():
    s = "BTBTXSETE"
    inputs, targets, mask = reber.encode(s)
    names = reber.input_names()
    assert "".join(names[i] for i in inputs.argmax(1)) == s[:-1]
    assert "".join(names[i] for i in targets.argmax(1)) == s[1:]
    assert mask.all() and len(mask) == len(s) - 1
    _, possible, _ = reber.encode(s, target="possible")
    legal = ["".join(c for c, b in zip(names, row) if b) for row in possible]
    assert legal == ["TP", "B", "TP", "SX", "SX", "E", "T", "E"]
    with pytest.raises(ValueError):
        reber.encode(s, target="soft")
    with pytest.raises(ValueError):
        reber.legal_next("BTBTXSEPE")


def test_reber_possible_contains_next_and_critical_step():
    for _, targets, _, info in draws(reber, 200, seed=3):
        s, legal, k = info["string"], info["possible"], info["critical_step"]
        assert np.all(legal[targets.astype(bool)]), "actual next symbol must be legal"
        assert s[k + 1] == s[-2] == s[1]
        assert legal[k].sum() == 1 and legal[k, "BTPSXVE".index(s[1])]
        assert legal[0, 1] and legal[0, 2] and legal[0].sum() == 2  # after B: T or P
    plain = reber.legal_next("BTSSXXTVVE", embedded=False)
    assert plain.shape == (9, 7) and plain[0].sum() == 2


def test_reber_datasets_disjoint():
    train, test = reber.datasets(np.random.default_rng(4))
    assert len(train) == 256 and len(test) == 256
    assert not set(train) & set(test)
    assert all(reber.accepts_embedded(s) for s in train + test)
    again = reber.datasets(np.random.default_rng(4))
    assert again == (train, test)


# ---------------------------------------------------------------- Experiment 2: long lags

def test_2a_structure():
    p = 10
    names = long_lag.input_names("2a", p)
    assert names == [f"a{i}" for i in range(1, p)] + ["x", "y"]
    assert long_lag.output_names("2a", p) == names
    labels = set()
    for inputs, targets, mask, info in draws(long_lag, 50, seed=5, variant="2a", p=p):
        seq = inputs.argmax(1)
        assert inputs.shape == (p, p + 1) and np.all(inputs.sum(1) == 1.0)
        assert names[seq[0]] in ("x", "y") and names[seq[0]] == info["label"]
        assert np.array_equal(seq[1:], np.arange(p - 1))          # a_1 .. a_{p-1}
        assert np.array_equal(targets[:-1], inputs[1:])            # next symbol
        assert np.array_equal(targets[-1], inputs[0])              # the first again
        assert mask.all() and info["final_step"] == p - 1
        labels.add(info["label"])
    assert labels == {"x", "y"}


def test_2b_structure():
    p = 6
    seen, labels = set(), set()
    for inputs, targets, mask, info in draws(long_lag, 300, seed=6, variant="2b", p=p):
        seq = info["sequence"]
        assert len(seq) == p + 1 and seq[0] == seq[-1] and seq[0] in (p - 1, p)
        assert np.all((seq[1:-1] >= 0) & (seq[1:-1] < p - 1))      # middle over a_1..a_{p-1}
        assert np.array_equal(inputs.argmax(1), seq[:-1])
        assert np.array_equal(targets.argmax(1), seq[1:]) and mask.all()
        assert info["final_step"] == p - 1 and np.array_equal(targets[p - 1], inputs[0])
        seen.update(seq[1:-1].tolist())
        labels.add(info["label"])
    assert seen == set(range(p - 1)) and labels == {"x", "y"}


def test_2c_process():
    p, q = 5, 10
    names = long_lag.input_names("2c", p, q)
    assert names == ["a1", "a2", "a3", "a4", "a5", "e", "b", "x", "y"]
    assert long_lag.output_names("2c", p, q) == ["x", "y"]
    e, b, x, y = p, p + 1, p + 2, p + 3
    lengths, distractors, labels = [], set(), set()
    for inputs, targets, mask, info in draws(long_lag, 4000, seed=7, variant="2c", p=p, q=q):
        seq = info["sequence"]
        lengths.append(len(seq))
        assert len(seq) == q + info["k"] + 4 >= q + 4
        assert seq[0] == b and seq[1] in (x, y) and seq[-2] == e and seq[-1] == seq[1]
        assert np.all(seq[2:-2] < p)                                # distractors only
        assert np.array_equal(inputs.argmax(1), seq[:-1]) and np.all(inputs.sum(1) == 1.0)
        assert mask.sum() == 1 and mask[-1] and info["target_step"] == len(mask) - 1
        assert inputs[-1, e] == 1.0                                 # the target step reads e
        assert np.array_equal(targets[-1], [1.0, 0.0] if seq[1] == x else [0.0, 1.0])
        distractors.update(seq[2:-2].tolist())
        labels.add(info["label"])
    # the process gives q + 13 (not the paper's stated q + 14); sd of k is sqrt(90)
    se = np.sqrt(90.0 / len(lengths))
    assert abs(np.mean(lengths) - (q + 13)) < 4 * se
    assert min(lengths) == q + 4
    assert distractors == set(range(p)) and labels == {"x", "y"}


def test_2c_distractor_bound_is_p_not_q():
    seq = draws(long_lag, 20, seed=8, variant="2c", p=3, q=40)
    assert all(np.all(s[3]["sequence"][2:-2] < 3) for s in seq)
    with pytest.raises(ValueError):
        long_lag.generate(np.random.default_rng(0), variant="2d")


@pytest.mark.parametrize("variant, p, q", [("2a", 10, 0), ("2b", 6, 0), ("2c", 5, 10), ("2c", 300, 20)])
def test_long_lag_symbols_are_the_dense_inputs(variant, p, q):
    """generate_symbols makes generate's draws: the same seed gives the same sequences, its
    symbols are exactly the one-hot rows of generate's inputs, and the generators end in step."""
    dense, compact = np.random.default_rng(11), np.random.default_rng(11)
    n_in = len(long_lag.input_names(variant, p, q))
    for _ in range(30):
        x, y, m, info = long_lag.generate(dense, variant, p, q, info=True)
        s, y2, m2, info2 = long_lag.generate_symbols(compact, variant, p, q, info=True)
        assert s.dtype == np.int64 and s.shape == (len(x),)
        one_hot = np.zeros((len(s), n_in))
        one_hot[np.arange(len(s)), s] = 1.0
        assert np.array_equal(one_hot, x)                           # every entry, not only the 1s
        assert np.array_equal(y2, y) and y2.dtype == y.dtype and np.array_equal(m2, m) and m2.dtype == m.dtype
        assert repr(info2) == repr(info)
    assert dense.bit_generator.state == compact.bit_generator.state
    assert len(long_lag.generate_symbols(compact, variant, p, q)) == 3


# ---------------------------------------------------------------- Experiment 3: 2-sequence

def test_two_sequence_lengths_and_classes():
    out = draws(two_sequence, 2000, seed=9, variant="3a", T=100, N=3)
    lengths = [o[3]["length"] for o in out]
    assert min(lengths) == 100 and max(lengths) == 110
    labels = np.array([o[3]["label"] for o in out])
    assert set(labels) == {1, 2} and 0.45 < np.mean(labels == 1) < 0.55


@pytest.mark.parametrize("N", [1, 3])
def test_3a_inputs_and_targets(N):
    noise = []
    for inputs, targets, mask, info in draws(two_sequence, 400, seed=10, variant="3a", T=50, N=N):
        sign = 1.0 if info["label"] == 1 else -1.0
        assert np.all(inputs[:N, 0] == sign)                       # informative, noise-free
        assert targets[-1, 0] == info["clean_target"] == (1.0 if info["label"] == 1 else 0.0)
        assert mask.sum() == 1 and mask[-1]
        noise.extend(inputs[N:, 0])
    assert abs(np.mean(noise)) < 5 * np.sqrt(0.2 / len(noise))
    assert_variance(noise, 0.2)


def test_3b_noisy_informative_elements():
    noise = []
    for inputs, targets, _, info in draws(two_sequence, 3000, seed=11, variant="3b", T=10, N=3):
        sign = 1.0 if info["label"] == 1 else -1.0
        noise.extend(inputs[:3, 0] - sign)
        assert targets[-1, 0] == (1.0 if info["label"] == 1 else 0.0)
    assert_variance(noise, 0.2)


def test_3c_noisy_targets():
    errors = []
    for inputs, targets, _, info in draws(two_sequence, 10000, seed=12, variant="3c", T=10, N=3):
        sign = 1.0 if info["label"] == 1 else -1.0
        assert np.all(inputs[:3, 0] == sign)                       # inputs as in 3a
        assert info["clean_target"] == (0.2 if info["label"] == 1 else 0.8)
        errors.append(targets[-1, 0] - info["clean_target"])
    assert abs(np.mean(errors)) < 4 * np.sqrt(0.1 / len(errors))
    assert_variance(errors, 0.1, n_se=4.0)  # tells variance 0.1 from 0.09 (st.dev. 0.3)


# ---------------------------------------------------------------- Experiments 4 and 5

def check_marked_pairs(out, T, low, high, first_value):
    """The marker rules shared by the adding and multiplication problems."""
    x1_at, x2_at, lags, first_marked_by = set(), set(), [], set()
    for inputs, targets, mask, info in out:
        values, markers = inputs[:, 0], inputs[:, 1]
        L, i1, i2 = len(values), info["x1_pos"], info["x2_pos"]
        assert T <= L <= T + T // 10 and info["length"] == L
        assert np.all((values >= low) & (values <= high))
        assert np.flatnonzero(markers == 1.0).tolist() == sorted([i1, i2])
        assert 0 <= i1 < 10 and 0 <= i2 < T // 2 and i1 != i2
        assert markers[-1] == -1.0
        assert markers[0] == (1.0 if 0 in (i1, i2) else -1.0)
        assert np.all(np.isin(markers[1:-1], [0.0, 1.0]))
        if markers[0] == 1.0:
            assert values[0] == first_value
            first_marked_by.add("x1" if i1 == 0 else "x2")
        assert (info["x1"], info["x2"]) == (values[i1], values[i2])
        assert mask.sum() == 1 and mask[-1] and targets[-1, 0] == info["target"]
        x1_at.add(i1)
        x2_at.add(i2)
        lags.append(L - 1 - max(i1, i2))
    assert x1_at == set(range(10)) and x2_at == set(range(T // 2))
    assert min(lags) == T // 2                                     # Table 7: minimal lag T/2
    assert first_marked_by == {"x1", "x2"}


@pytest.mark.parametrize("T", [20, 100])
def test_adding_markers_values_lag_target(T):
    out = draws(adding, 3000, seed=13, T=T)
    check_marked_pairs(out, T, -1.0, 1.0, first_value=0.0)
    for _, targets, _, info in out:
        assert targets[-1, 0] == pytest.approx(0.5 + (info["x1"] + info["x2"]) / 4.0)
        assert 0.0 <= targets[-1, 0] <= 1.0
    assert adding.input_names() == ["value", "marker"]
    with pytest.raises(ValueError):
        adding.generate(np.random.default_rng(0), T=10)


def test_adding_long_sequences():
    for inputs, _, _, info in draws(adding, 30, seed=14, T=1000):
        assert 1000 <= len(inputs) <= 1100
        assert len(inputs) - 1 - max(info["x1_pos"], info["x2_pos"]) >= 500


def test_multiplication_markers_values_target():
    out = draws(multiplication, 3000, seed=15, T=20)
    check_marked_pairs(out, 20, 0.0, 1.0, first_value=1.0)
    for _, targets, _, info in out:
        assert targets[-1, 0] == pytest.approx(info["x1"] * info["x2"])
    assert multiplication.output_names() == ["product"]


# ---------------------------------------------------------------- Experiment 6: temporal order

RULES = {
    "6a": {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"},
    "6b": {"XXX": "Q", "XXY": "R", "XYX": "S", "XYY": "U",
           "YXX": "V", "YXY": "A", "YYX": "B", "YYY": "C"},
}
WINDOWS = {"6a": [(10, 20), (50, 60)], "6b": [(10, 20), (33, 43), (66, 76)]}


@pytest.mark.parametrize("variant", ["6a", "6b"])
def test_temporal_order(variant):
    names, classes = temporal_order.input_names(variant), temporal_order.output_names(variant)
    assert sorted(names) == sorted("EBabcdXY") and len(set(names)) == 8
    assert classes == list(RULES[variant].values())
    positions, lengths, seen = [], [], set()
    for inputs, targets, mask, info in draws(temporal_order, 2000, seed=16, variant=variant):
        s = "".join(names[i] for i in inputs.argmax(1))
        assert np.all(inputs.sum(1) == 1.0) and s == info["sequence"]
        assert s[0] == "E" and s[-1] == "B"
        relevant = [i + 1 for i, c in enumerate(s) if c in "XY"]  # 1-based, E at 1
        assert relevant == list(info["positions"])
        assert set(s[1:-1]) - set("XY") <= set("abcd")
        pattern = "".join(s[t - 1] for t in relevant)
        assert pattern == info["relevant"]
        assert classes[targets[-1].argmax()] == RULES[variant][pattern] == info["class"]
        assert targets[-1].sum() == 1.0 and mask.sum() == 1 and mask[-1]
        positions.append(relevant)
        lengths.append(len(s))
        seen.add(pattern)
    positions = np.array(positions)
    for k, (lo, hi) in enumerate(WINDOWS[variant]):
        assert positions[:, k].min() == lo and positions[:, k].max() == hi
    assert min(lengths) == 100 and max(lengths) == 110
    assert seen == set(RULES[variant])
    assert int(np.min(np.array(lengths) - positions[:, -1])) == {"6a": 40, "6b": 24}[variant]
