"""What each chaos family reports, and how the bench prints it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.chaos.invariants import Verdict

MAX_ANOMALIES = 20
Progress = Callable[[str], None]


@dataclass
class FamilyReport:
    family: str
    trials: int = 0
    transactions: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    """Faults that actually happened, by kind."""
    details: Counter[str] = field(default_factory=Counter)
    """Anything else worth a count (tiers, resolution modes, outcomes of the torn entries)."""
    anomalies: list[str] = field(default_factory=list)
    """Per-trial findings (the card and the journal disagree right after a trial)."""
    anomaly_count: int = 0
    verdict: Verdict = field(default_factory=Verdict)
    wall_s: float = 0.0

    def tick(self, progress: Progress | None, every: int) -> None:
        """Report progress every ``every`` trials."""
        if progress is not None and self.trials and self.trials % every == 0:
            progress(f"  {self.family}: {self.trials} trials, {self.transactions} transactions, "
                     f"{sum(self.injected.values())} injected, anomalies {self.anomaly_count}")

    def anomaly(self, text: str) -> None:
        self.anomaly_count += 1
        if len(self.anomalies) < MAX_ANOMALIES:
            self.anomalies.append(text)

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.anomaly_count

    def row(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "family": self.family, "trials": self.trials, "transactions": self.transactions,
            "injected": sum(self.injected.values()),
            "recovered completed": v.recovered_completed, "recovered failed": v.recovered_failed,
            "lost": v.lost, "double": v.double, "unverified": v.unverified,
            "unresolved": v.unresolved, "wall s": round(self.wall_s, 1),
        }

    def as_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {**self.row(), "ok": self.ok, "injected_by_kind": dict(self.injected),
                "details": dict(self.details), "anomalies": self.anomalies,
                "anomaly_count": self.anomaly_count,
                "verdict": {k: getattr(v, k) for k in (
                    "cards", "applied", "cleared", "completed", "failed", "phantom",
                    "not_uploaded", "balance_mismatch", "content_mismatch",
                    "reconciliation_mismatch", "grey", "grey_settled", "grey_unaccounted")}
                | {"problems": v.problems}}


def table(reports: list[FamilyReport]) -> str:
    rows = [r.row() for r in reports]
    if not rows:
        return ""
    heads = list(rows[0])
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in heads]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(str(r[h]).rjust(w) for h, w in zip(heads, widths, strict=True))
              for r in rows]
    return "\n".join(lines)


def describe(report: FamilyReport) -> str:
    v = report.verdict
    out = [f"[{report.family}] {'OK' if report.ok else 'FAILED'}"]
    out.append("  injected: " + ", ".join(f"{k} {n}" for k, n in sorted(report.injected.items())))
    if report.details:
        out.append("  details: " + ", ".join(f"{k} {n}" for k, n in sorted(report.details.items())))
    out.append(f"  cards {v.cards}, applied on the cards {v.applied}, cleared {v.cleared}, "
               f"journal completed {v.completed} / failed {v.failed}; phantom {v.phantom}, "
               f"not uploaded {v.not_uploaded}, balance mismatches {v.balance_mismatch}, "
               f"content mismatches {v.content_mismatch}, reconciliation mismatches "
               f"{v.reconciliation_mismatch}; per-trial anomalies {report.anomaly_count}")
    if v.grey:
        out.append(f"  grey records (completed without a TAC, flagged at clearing) {v.grey}: "
                   f"{v.grey_settled} the card's, {v.grey - v.grey_settled} void (a valid "
                   f"record of their counter cleared), {v.grey_unaccounted} not accounted for")
    out += [f"  ! {p}" for p in v.problems]
    out += [f"  ! trial: {a}" for a in report.anomalies]
    return "\n".join(out)
