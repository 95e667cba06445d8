"""The sync fault harness (reference/sync.md §3): a fault proxy, crash points, an oracle of invariants I1–I7,
and seeded random scenarios of several desks against the real district server over loopback HTTP."""
