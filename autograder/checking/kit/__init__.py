"""The check toolkit: what every exercise's probe and verdict are built from.

Probe side (may run next to student code): `observe`, `cases`, `fmt`.
Verdict side (pure, reference engine and finite differences): `failure`, `compare`.
"""
