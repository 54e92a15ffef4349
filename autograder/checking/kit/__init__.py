"""The check toolkit: what every exercise's probe and verdict are built from.

Probe side (may run next to student code, and is in a grading kernel's view): `observe`,
`cases`, `fmt`, `steps` (probes that record their steps), and `failure` (the exceptions
`check` raises). Verdict side (pure: the reference engine and finite differences, never in
a grading kernel): `compare`, `says` (failures by name from a verdict's table), `network`
(the float truth about neurons and layers).
"""
