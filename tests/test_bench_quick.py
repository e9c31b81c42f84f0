"""The load benchmark's machinery on a small load: its correctness figures must be clean and
its counts must add up. (Its timings are `make bench`'s business, not a test's.)"""
import pytest

from bench.__main__ import parse, run

pytestmark = pytest.mark.xdist_group("bench")


@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_a_small_benchmark_run_is_clean(mode):
    options = parse(["--duration", "3", "--rate", "20", "--displays", "5", "--counters", "2", "--hold", "0.05"])
    summary = run(mode, "displays", options)
    assert summary["issue_latency_ms"]["count"] == 60, "every offered ticket was issued"
    assert summary["tickets_called"] > 0 and summary["displays_connected"] == 5
    assert summary["call_to_display_ms"]["count"] == 5 * summary["tickets_called"], "each display saw each call"
    assert summary["http_errors"] == {}
    for check in ("no_duplicate_numbers", "no_double_calls", "no_missed_events"):
        assert summary["targets"][check], (check, summary)
    assert summary["server_peak_memory_mb"] > 0 and summary["server_cpu_cores_busy"] > 0
