"""Community benchmark: seed a large dataset on PostgreSQL and measure pages under load.

``python -m bench.run`` (or ``make bench``) does everything; see docs/BENCHMARKS.md.
"""
