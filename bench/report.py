"""From the workers' records and the hall's event log to the summary and its checks."""
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

#: the targets of the API issue, on the 2-core development machine
TARGETS = {"issue_p99_ms": 15.0, "call_to_display_p99_ms": 30.0, "peak_memory_mb": 250.0}


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency_ms(values: list[float]) -> dict:
    p50, p99 = percentile(values, 0.50), percentile(values, 0.99)
    return {"count": len(values), "p50": _ms(p50), "p99": _ms(p99), "max": _ms(max(values, default=None))}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def double_calls(log: list[dict]) -> int:
    """Tickets called while already called or being served (the log is in seq order)."""
    held: set[int] = set()
    doubles = 0
    for event in log:
        if event["type"] == "ticket.called":
            doubles += event["ticket"] in held
            held.add(event["ticket"])
        elif event["type"] in ("ticket.finished", "ticket.no_show", "ticket.transferred", "ticket.cancelled"):
            held.discard(event["ticket"])
    return doubles


def display_faults(display_records: list[tuple], last_seq: int) -> dict:
    """Missed, repeated and out-of-order events over every display."""
    missed = repeated = out_of_order = 0
    for first_seq, seqs, _called in display_records:
        expected = range(first_seq, last_seq + 1)
        counts = Counter(seqs)
        missed += sum(1 for seq in expected if seq not in counts)
        repeated += sum(n - 1 for n in counts.values())
        out_of_order += sum(1 for a, b in zip(seqs, seqs[1:], strict=False) if b <= a)
    return {"missed": missed, "repeated": repeated, "out_of_order": out_of_order}


def call_to_display(calls: list[tuple], log: list[dict], display_records: list[tuple]) -> list[float]:
    """For every call-next answered with a ticket and every display: arrival minus send time."""
    called_seq = {e["ticket"]: e["seq"] for e in log if e["type"] == "ticket.called"}
    latencies = []
    for _kind, sent, _latency, status, _counter, ticket in calls:
        if status != 200:
            continue
        seq = called_seq[ticket]
        latencies += [called[seq] - sent for _first, _seqs, called in display_records if seq in called]
    return latencies


def summarize(options: dict, issues: list[tuple], clerk_records: list[tuple], log: list[dict],
              display_records: list[tuple], peak_memory_mb: float, elapsed_s: float) -> dict:
    calls = [r for r in clerk_records if r[0] == "call"]
    issued = [r for r in issues if r[3] == 201]
    statuses = Counter(str(r[3]) for r in issues + clerk_records if not (200 <= int(r[3] or 0) < 300))
    logged = {e["ticket"]: (e["data"]["business_day"], e["data"]["number"]) for e in log
              if e["type"] == "ticket.issued"}
    numbers_logged = Counter(logged.values())
    answered_otherwise = sum(1 for r in issued if logged.get(r[5], (None, None))[1] != r[4])
    last_seq = log[-1]["seq"] if log else 0
    summary = {
        "options": options,
        "elapsed_s": round(elapsed_s, 1),
        "tickets_offered_per_s": options["rate"],
        "tickets_issued_per_s": _rate(issued),
        "requests_per_s": round((len(issues) + len(clerk_records)) / options["duration"], 1),
        "issue_latency_ms": latency_ms([r[2] for r in issued]),
        "call_next_latency_ms": latency_ms([r[2] for r in calls if r[3] == 200]),
        "call_to_display_ms": latency_ms(call_to_display(calls, log, display_records)),
        "tickets_called": sum(1 for r in calls if r[3] == 200),
        "displays_connected": len(display_records),
        "http_errors": dict(statuses),
        "duplicate_numbers": sum(n - 1 for n in numbers_logged.values()),
        "answers_not_in_log": answered_otherwise,
        "double_calls": double_calls(log),
        "display_events": display_faults(display_records, last_seq),
        "events_in_log": len(log),
        "server_peak_memory_mb": round(peak_memory_mb, 1),
    }
    summary["targets"] = check_targets(summary)
    return summary


def check_targets(s: dict) -> dict:
    """The targets this run is judged on: both latency targets have a scenario of their own."""
    faults = s["display_events"]
    latency = {
        "issue": {"issue_p99_le_15ms": _le(s["issue_latency_ms"]["p99"], TARGETS["issue_p99_ms"])},
        "displays": {"call_to_display_p99_le_30ms": _le(s["call_to_display_ms"]["p99"],
                                                        TARGETS["call_to_display_p99_ms"])},
        "logins": {"issue_p99_le_15ms": _le(s["issue_latency_ms"]["p99"], TARGETS["issue_p99_ms"])},
    }
    return {
        **latency[s["options"]["scenario"]],
        "no_duplicate_numbers": s["duplicate_numbers"] == s["answers_not_in_log"] == 0,
        "no_double_calls": s["double_calls"] == 0,
        "no_missed_events": faults["missed"] == faults["repeated"] == faults["out_of_order"] == 0,
        "peak_memory_le_250mb": s["server_peak_memory_mb"] <= TARGETS["peak_memory_mb"],
        "offered_rate_kept": s["tickets_issued_per_s"] >= 0.95 * s["tickets_offered_per_s"],
    }


def summarize_logins(records: list[tuple], offered_per_s: float) -> dict:
    """The wrong logins of the logins scenario: how they were answered, and how fast."""
    statuses = Counter(str(r[3]) for r in records)
    return {
        "offered_per_s": offered_per_s,
        "sent": len(records),
        "statuses": dict(sorted(statuses.items())),
        "checked_latency_ms": latency_ms([r[2] for r in records if r[3] == 401]),
        "throttled_latency_ms": latency_ms([r[2] for r in records if r[3] == 429]),
    }


def _rate(records: list[tuple]) -> float:
    """Answers per second, from the first request sent to the last answer received."""
    if not records:
        return 0.0
    span = max(r[1] + r[2] for r in records) - min(r[1] for r in records)
    return round(len(records) / span, 1) if span > 0 else 0.0


def _le(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def publish(name: str, summary: dict) -> Path:
    """Save a run's summary as bench/results/<name>-<time>.json and print it."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    summary["written_to"] = str(path)
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    print(text, flush=True)
    return path
