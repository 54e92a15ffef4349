"""Probes: the only code that touches a student's objects. They record, never judge."""
