"""bench/stats.py: the figures the benchmarks' Python drivers give of
their samples (they import it through the PYTHONPATH bench/lib.sh sets)."""
import statistics


def spread(s):
    """The median, minimum and maximum of the samples s, as a tuple."""
    return statistics.median(s), min(s), max(s)


def p95(s):
    """The 95th percentile of the samples s (nearest rank)."""
    s = sorted(s)
    return s[max(0, -(-95 * len(s) // 100) - 1)]
