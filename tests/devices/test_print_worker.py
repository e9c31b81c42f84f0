"""The print worker against a simulated printer over a real pty: faults, a pulled cable, a
worker killed and started again, and the agent that reaches the hall over HTTP."""
import os
import subprocess
import sys

from hall_server.domain.events import EventType
from hall_server.services import devices, tickets

from ..conftest import KIOSK, MANAGER
from ..running_hall import REPO_ROOT, RunningHall
from ..web.conftest import Client
from .conftest import PRINTER, device_events, eventually, faults, print_context, printed_numbers, printer_config_text


def issue(ctx, count: int) -> list[str]:
    return [tickets.issue_ticket(ctx, "demo", "fee", KIOSK).display_number for _ in range(count)]


def nothing_pending(ctx) -> bool:
    return devices.print_queue(ctx, "demo", PRINTER, MANAGER).pending == 0


def assert_printed_once_in_order(ctx, printer, numbers: list[str]) -> None:
    """Every number printed once, in issue order, and recorded once; nothing more to print."""
    printer.wait_for(len(numbers))
    eventually(lambda: nothing_pending(ctx), "the printer is done with every ticket")
    assert printed_numbers(printer) == numbers
    recorded = [e.data["number"] for e in device_events(ctx, EventType.TICKET_PRINTED)]
    assert recorded == numbers


def test_paper_out_during_a_burst_of_twenty(printer, config_path, tmp_path, clock, run_worker):
    ctx = print_context(config_path, f"sqlite:///{tmp_path / 'hall.db'}", clock)
    run_worker(ctx, printer.port)
    printer.run_out_after(4)

    issued = issue(ctx, 20)  # the kiosk never waits for the printer
    assert issued == [f"A{n:03d}" for n in range(1, 21)]
    eventually(lambda: faults(ctx, "paper_out"), "paper out is reported")
    assert len(printer.tickets) == 4

    printer.load_paper()
    assert_printed_once_in_order(ctx, printer, issued)
    assert len(faults(ctx, "paper_out")) == 1
    last = device_events(ctx, EventType.DEVICE_STATUS)[-1].data
    assert (last["fault"], last["paper"], last["online"]) == (None, "ok", True)


def test_the_cable_pulled_and_plugged_back_the_worker_reconnects_by_itself(printer, config_path, tmp_path, clock,
                                                                            run_worker):
    ctx = print_context(config_path, f"sqlite:///{tmp_path / 'hall.db'}", clock)
    run_worker(ctx, printer.port)
    issued = issue(ctx, 2)
    printer.wait_for(2)

    printer.unplug()
    issued += issue(ctx, 3)
    eventually(lambda: faults(ctx, "offline"), "the printer is reported offline")
    printer.plug()

    assert_printed_once_in_order(ctx, printer, issued)
    assert len(faults(ctx, "offline")) == 1
    assert device_events(ctx, EventType.DEVICE_STATUS)[-1].data["online"] is True


def test_a_worker_killed_mid_burst_and_started_again_loses_nothing_and_prints_nothing_twice(
        printer, config_path, tmp_path, worker_process):
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    ctx = print_context(config_path, url)  # the wall clock, as the worker process has
    env = {"HALL_CONFIG": str(config_path), "HALL_DATABASE_URL": url}
    first = worker_process(env)
    printer.run_out_after(7)
    issued = issue(ctx, 20)
    eventually(lambda: faults(ctx, "paper_out"), "paper out is reported")
    assert len(printer.tickets) == 7

    first.kill()  # SIGKILL: no goodbye
    issued += issue(ctx, 5)  # tickets keep coming while no worker runs
    worker_process(env)
    printer.load_paper()

    assert_printed_once_in_order(ctx, printer, issued)
    assert len(faults(ctx, "paper_out")) == 1  # the new worker found it reported already


def test_the_kiosks_agent_prints_over_http_and_a_manager_drops_jobs(printer, tmp_path, worker_process):
    server = RunningHall(tmp_path / "server", config_text=printer_config_text(printer.port))
    server.init_db()
    for kiosk in ("kiosk-1", "kiosk-2"):
        server.add_device(kiosk, "demo", "kiosk")
    server.add_user("mgr", "manager", ["demo"])
    server.start()
    agent = worker_process({}, "--server", server.url, "--token-stdin", token=server.tokens["kiosk-1"])
    try:
        kiosk = Client(server.url, server.tokens["kiosk-1"])
        taken = [kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"}) for _ in range(3)]

        printed = printer.wait_for(3)
        assert [t.largest().text for t in printed] == [t["number"] for t in taken]
        assert [t.qr_codes for t in printed] == [[server.url + t["tracking_url"]] for t in taken]

        other = Client(server.url, server.tokens["kiosk-2"])
        stranger = worker_process({}, "--server", server.url, "--token-stdin", token=server.tokens["kiosk-2"])
        assert stranger.process.wait(60) == 2  # kiosk-2's tickets come out of no printer: it stops, saying so
        assert other.request("GET", "/halls/demo/printers/printer-1/queue").status_code == 403
        assert Client(server.url, None).request("GET", "/halls/demo/printers/printer-1/queue").status_code == 401
        assert kiosk.request("POST", "/halls/demo/printers/printer-1/drop", json={}).status_code == 403

        printer.paper_out()
        stuck = [kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})["number"] for _ in range(2)]
        manager = Client(server.url, server.login("mgr"))
        eventually(lambda: (manager.ok("GET", "/halls/demo/printers/printer-1")["status"] or {}).get("fault")
                   == "paper_out", "the agent reports paper out")
        [mine] = kiosk.ok("GET", "/halls/demo/printers")["printers"]  # what the kiosk page shows
        assert (mine["name"], mine["status"]["fault"]) == ("printer-1", "paper_out") and mine["status"]["pending"]
        assert other.ok("GET", "/halls/demo/printers")["printers"] == []
        assert manager.ok("POST", "/halls/demo/printers/printer-1/drop", json={})["dropped"] == stuck
        printer.load_paper()
        after = kiosk.ok("POST", "/halls/demo/tickets", 201, json={"service": "fee"})["number"]

        printer.wait_for(4)
        eventually(lambda: manager.ok("GET", "/halls/demo/printers/printer-1/queue")["pending"] == 0,
                   "the agent records the last ticket")
        assert printed_numbers(printer) == [t["number"] for t in taken] + [after]
        events = manager.ok("GET", "/halls/demo/events", params={"after": 0, "limit": 1000})["events"]
        done = [(e["data"]["number"], e["data"].get("dropped", False)) for e in events if e["type"] == "ticket.printed"]
        assert done == [(t["number"], False) for t in taken] + [(n, True) for n in stuck] + [(after, False)]
    finally:
        agent.kill()
        server.kill()



def test_the_worker_command_says_what_it_cannot_run(config_path, tmp_path):
    env = {**os.environ, "HALL_CONFIG": str(config_path), "HALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}

    def worker(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hall_server", "print-worker", "--hall", "demo", *args],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    unknown = worker("--printer", "printer-9")
    assert unknown.returncode == 1 and "printer-9" in unknown.stderr
    no_token = worker("--printer", PRINTER, "--server", "http://127.0.0.1:1")
    assert no_token.returncode == 2 and "--token-stdin" in no_token.stderr
