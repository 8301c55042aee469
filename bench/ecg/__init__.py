"""ECG interpretation benchmarks against reference annotations (``make bench-ecg``)."""
