"""The printer benchmark's machinery on a few tickets: its counts add up (its figures are
`make bench`'s business)."""
import pytest

from bench.printer import line_s, measure


@pytest.mark.parametrize("raster", [False, True])
def test_a_small_printer_benchmark_run_is_clean(raster):
    summary = measure(raster=raster, count=4)
    assert summary["tickets"] == 4 and summary["printed_once_in_order"]
    assert summary["number_to_cut_ms"]["count"] == 4
    smallest, largest = summary["bytes"]["min"], summary["bytes"]["max"]
    assert 0 < smallest <= largest and (largest > 900) == raster
    assert summary["line_s"]["9600"]["max"] == round(line_s(largest, 9600), 3) == round(largest / 960, 3)
