"""Row accounting for a run: read = accepted + duplicates + rejected, kept per source and in total."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Counts:
    """Row counts of one run; `check()` enforces the accounting identity."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, read: int, accepted: int, duplicates: int, rejected_reasons: dict[str, int]) -> None:
        """Add one batch's counts."""
        self.read += read
        self.accepted += accepted
        self.duplicates += duplicates
        self.rejected += sum(rejected_reasons.values())
        for reason, n in rejected_reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n
        self.check()

    def check(self) -> None:
        """Raise if any row is unaccounted for."""
        if self.read != self.accepted + self.duplicates + self.rejected:
            raise AssertionError(
                f"row accounting broken: read {self.read} != accepted {self.accepted} + "
                f"duplicates {self.duplicates} + rejected {self.rejected}"
            )

    @classmethod
    def from_run(cls, run: dict, reasons: dict[str, int]) -> Counts:
        """The counts a stored run has reached (to continue them on resume)."""
        counts = cls(
            read=int(run.get("read") or 0),
            accepted=int(run.get("accepted") or 0),
            duplicates=int(run.get("duplicates") or 0),
            rejected=int(run.get("rejected") or 0),
            reasons=dict(reasons),
        )
        counts.check()
        return counts
