"""The battery: its plan counts what is left of every paper row and estimates its CPU time."""

from hochreiter97 import battery, config, fidelity, results

PAPER_ROWS = fidelity.paper_rows(config.load, config.rows())


def test_the_plan_covers_every_paper_row_and_counts_finished_trials(tmp_path):
    (tmp_path / "6a").mkdir()
    for k in range(3):
        rec = {"trial": k, "sequences_presented": 1000 * (k + 1), "time_steps": 100_000 * (k + 1),
               "steps_per_second": 1e6}
        results.write_json(tmp_path / "6a" / f"trial-{k}.json", rec)
    entries = {e["row"]: e for e in battery.plan(out=tmp_path, bench_json=tmp_path / "none.json")}
    assert sorted(entries) == sorted(PAPER_ROWS) and len(entries) == 37
    six = entries["6a"]
    assert (six["remaining"], six["trials"]) == (17, 20)
    assert six["sequences_per_trial"] == 2000                          # the mean of 1,000, 2,000, 3,000
    assert abs(six["cpu_seconds"] - 17 * 2000 * 100 / 1e6) < 1e-9     # 100 steps a sequence at 1e6 steps/s
    assert entries["4-1"]["remaining"] == 10 and entries["4-1"]["cpu_seconds"] is None   # no trial, no bench: unknown
    assert entries["4-1"]["sequences_per_trial"] == 74000              # the paper's mean


def test_a_reading_plans_only_the_rows_it_concerns(tmp_path):
    entries = battery.plan("end", out=tmp_path, bench_json=tmp_path / "none.json")
    assert {e["row"] for e in entries} == {"2a", "rtrl-p4-lr1", "rtrl-p4-lr4", "rtrl-p4-lr10", "rtrl-p10",
                                           "rtrl-p100", "bptt-p100"}
    assert all(e["folder"].endswith("@end") for e in entries)


def test_dry_run_prints_the_plan_and_runs_nothing(capsys, tmp_path, monkeypatch):
    import run
    monkeypatch.setattr(battery, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    assert run.main(["battery", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "CPU-hours" in out and all(f"\n{row} " in out for row in PAPER_ROWS)
