"""Does the 1997 LSTM do what the paper says? Each paper row judged against its paper figures.

A row is **in range** when it ran at the paper's trial count and

  * its success rate is at most 10 points below the paper's (100 % where the paper
    gives a mean but no rate); a paper rate of 0 % is matched only when no trial succeeds;
  * its mean sequences to success is at most 1.5 times the paper's (ST2 for 3a-3c).

Otherwise the verdict says how it differs: "k x slower", "r % succeed (paper p %)",
"fails" (no trial succeeds), or "not run at the paper's count". The rows judged are the
paper's 31 LSTM rows and Table 2's 6 competitors; ablations are not judged. A reading's
run (ROW@NAME) is judged by the same rule beside the paper-configuration run; a
reading run with fewer trials than the paper's is marked so.

The cause of a gap is argued in docs/findings.md, one section per row headed
`### ROW`; its first sentence is the cause line of the report.
"""
from __future__ import annotations

import re
from pathlib import Path

RATE_SLACK = 10          # percentage points below the paper's success rate still in range
MEAN_FACTOR = 1.5        # mean sequences to success at most this times the paper's
TABLES = {1: "Table 1: Experiment 1, embedded Reber grammar", 2: "Table 2: Experiment 2a/2b, long time lags, and the competitors",
          3: "Table 3: Experiment 2c, very long time lags", 4: "Table 4: Experiment 3a, two-sequence problem",
          5: "Table 5: Experiment 3b, noisy informative elements", 6: "Table 6: Experiment 3c, noisy targets",
          7: "Table 7: Experiment 4, adding problem", 8: "Table 8: Experiment 5, multiplication problem",
          9: "Table 9: Experiment 6, temporal order"}


def paper_rows(load, rows) -> list:
    """The 37 judged rows: every config that is no ablation (the paper's LSTM rows and Table 2's competitors)."""
    return [r for r in rows if not load(r).ablation]


def paper_target(paper: dict):
    """(success rate in %, mean sequences to success or None) that the paper reports for a row."""
    mean = paper.get("st2", paper.get("success_after"))
    mean = mean if isinstance(mean, (int, float)) else None
    rate = paper.get("success_rate", 100 if mean is not None else None)
    return rate, mean


def verdict(summary: dict, paper: dict, trials: int) -> dict:
    """The judgement of one run (summary.json) against the paper's figures; trials: the paper's count."""
    rate_p, mean_p = paper_target(paper)
    n, ok = summary["trials"], summary["successes"]
    rate = 100.0 * ok / n if n else None
    mean = summary["sequences"]["mean"] if summary.get("sequences") else None
    full = n >= trials
    out = {"trials": n, "successes": ok, "rate": rate, "mean": mean, "full": full,
           "ratio": mean / mean_p if mean is not None and mean_p else None}
    if n == 0:
        return dict(out, in_range=False, text="not run")
    if rate_p == 0:
        in_range = ok == 0
        text = "in range (none succeed)" if in_range else f"{ok} of {n} succeed (paper: none)"
    elif ok == 0:
        in_range, text = False, "fails (no trial succeeds)"
    else:
        rate_ok = rate >= rate_p - RATE_SLACK
        mean_ok = mean_p is None or mean <= MEAN_FACTOR * mean_p
        in_range = rate_ok and mean_ok
        parts = []
        if not mean_ok:
            parts.append(f"{out['ratio']:.1f}x slower")
        if not rate_ok:
            parts.append(f"{rate:.0f} % succeed (paper {rate_p} %)")
        text = "in range" if in_range else ", ".join(parts)
    if not full:
        in_range = False
        text = f"{text}; {n} of the paper's {trials} trials"
    return dict(out, in_range=in_range, text=text)


def causes(findings: Path) -> dict:
    """ROW -> (first sentence of its section in docs/findings.md, anchor)."""
    if not findings.exists():
        return {}
    out, lines = {}, findings.read_text().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^### (\S+)", line)
        if not m:
            continue
        body = " ".join(l.strip() for l in lines[i + 1:i + 8] if l.strip() and not l.startswith("#"))
        first = re.split(r"(?<=[.;])\s", body, maxsplit=1)[0] if body else ""
        anchor = re.sub(r"[^a-z0-9 -]", "", line[4:].strip().lower()).replace(" ", "-")
        out[m.group(1)] = (first, anchor)
    return out
