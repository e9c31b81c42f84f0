"""A printer's work in the service layer, on both databases: what it prints next, what it
has done, the manager's drop, and its health in the log."""
import pytest

from hall_server.domain.actors import Actor, Role
from hall_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from hall_server.domain.events import EventType
from hall_server.services import counters, devices, tickets

from ..conftest import KIOSK, MANAGER, clerk
from .conftest import PRINTER, device_events

OK = {"online": True, "paper": "ok", "cover_open": False, "fault": None}
OTHER_KIOSK = Actor("kiosk-2", Role.KIOSK, frozenset({"demo"}))


def queue(ctx, actor=KIOSK):
    return devices.print_queue(ctx, "demo", PRINTER, actor)


def printed(ctx, ticket_id: int, **kwargs) -> bool:
    return devices.record_printed(ctx, "demo", PRINTER, ticket_id, KIOSK, kwargs.pop("sent", 512), **kwargs)


def test_the_printer_prints_its_kiosks_tickets_in_issue_order_each_once(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    tickets.issue_ticket(ctx, "demo", "fee", OTHER_KIOSK)  # another kiosk: not this printer's
    second = tickets.issue_ticket(ctx, "demo", "business", KIOSK)

    job = queue(ctx).job
    assert (job.ticket, job.number, job.status, queue(ctx).pending) == (first.id, "A001", "waiting", 2)
    assert (job.service_zh, job.service_en, job.ahead) == ("居民收费", "Residential fee payment", 0)
    assert job.hall_zh == "国网示范县供电公司城区营业厅" and job.notice_zh.startswith("请留意")
    assert job.issued_at.utcoffset().total_seconds() == 8 * 3600  # the hall's own time
    assert job.tracking_url.startswith("http://") and "/t/" in job.tracking_url

    assert printed(ctx, first.id) is True
    assert printed(ctx, first.id) is False  # once only
    assert queue(ctx).job.number == "B001"
    assert printed(ctx, second.id) is True
    assert queue(ctx) == devices.PrintQueue(None, 0)
    events = device_events(ctx, EventType.TICKET_PRINTED)
    assert [(e.ticket, e.data) for e in events] == [
        (first.id, {"printer": PRINTER, "number": "A001", "bytes": 512}),
        (second.id, {"printer": PRINTER, "number": "B001", "bytes": 512})]


def test_a_ticket_called_before_it_printed_is_passed_over_and_a_waiting_one_is_not(ctx):
    first = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    second = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    with pytest.raises(Conflict) as refused:
        printed(ctx, first.id, skipped=True)
    assert refused.value.code == "still_waiting"
    counters.sign_in(ctx, "demo", 1, clerk())
    tickets.call_next(ctx, "demo", 1, clerk())

    assert queue(ctx).job.status == "called"
    assert printed(ctx, first.id, skipped=True) is True
    assert queue(ctx).job.ticket == second.id
    assert device_events(ctx, EventType.TICKET_PRINTED)[-1].data == {
        "printer": PRINTER, "number": "A001", "bytes": 0, "skipped": "called"}


def test_only_the_printers_own_tickets_of_today_are_its_jobs(ctx, clock):
    other = tickets.issue_ticket(ctx, "demo", "fee", OTHER_KIOSK)
    with pytest.raises(Invalid) as refused:
        printed(ctx, other.id)
    assert refused.value.code == "not_a_print_job"
    yesterday = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    clock.advance(24 * 3600)
    assert queue(ctx) == devices.PrintQueue(None, 0)  # an earlier day's ticket never prints
    with pytest.raises(Conflict):
        printed(ctx, yesterday.id)
    today = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    assert queue(ctx).job.ticket == today.id


def test_who_may_run_the_printer(ctx):
    assert devices.printer_config(ctx, "demo", PRINTER, KIOSK).kiosks == ["kiosk-1"]
    assert [(p.name, status) for p, status in devices.printers(ctx, "demo", KIOSK)] == [(PRINTER, None)]
    assert devices.printers(ctx, "demo", OTHER_KIOSK) == []
    assert queue(ctx, MANAGER).job is None
    for actor in (OTHER_KIOSK, clerk()):
        with pytest.raises(Forbidden):
            queue(ctx, actor)
    with pytest.raises(NotFound):
        devices.print_queue(ctx, "demo", "printer-9", KIOSK)
    north_kiosk = Actor("kiosk-1", Role.KIOSK, frozenset({"north"}))
    with pytest.raises(Forbidden):  # kiosk-1 of hall north is not demo's kiosk-1
        queue(ctx, north_kiosk)


def test_a_manager_drops_the_pending_jobs(ctx):
    issued = [tickets.issue_ticket(ctx, "demo", "fee", KIOSK) for _ in range(3)]
    with pytest.raises(Forbidden):
        devices.drop_jobs(ctx, "demo", PRINTER, KIOSK)
    assert devices.drop_jobs(ctx, "demo", PRINTER, MANAGER, through=issued[1].id) == ["A001", "A002"]
    assert queue(ctx).job.ticket == issued[2].id
    assert printed(ctx, issued[0].id) is False  # a dropped job printed late is not recorded again
    assert devices.drop_jobs(ctx, "demo", PRINTER, MANAGER) == ["A003"]
    assert queue(ctx).job is None
    assert [e.data.get("dropped") for e in device_events(ctx, EventType.TICKET_PRINTED)] == [True] * 3


def test_the_printers_status_is_recorded_when_it_changes(ctx, clock):
    def report(pending: int = 0, **state) -> bool:
        return devices.report_status(ctx, "demo", KIOSK, PRINTER, pending=pending, **{**OK, **state})

    assert report() is False  # no status today: the printer has been well
    assert report(paper="near_end") is True
    assert report(paper="near_end", pending=4) is False  # more jobs waiting is no change of the printer
    assert report(paper="out", fault="paper_out", pending=5) is True
    assert report(paper="out", fault="paper_out", pending=9) is False
    assert devices.device_status(ctx, "demo", PRINTER, MANAGER) == {
        "device": PRINTER, "kind": "printer", **OK, "paper": "out", "fault": "paper_out", "pending": 5}
    assert report() is True
    clock.advance(24 * 3600)
    assert report(cover_open=True, fault="cover_open") is True
    clock.advance(24 * 3600)
    assert report(cover_open=True, fault="cover_open") is True  # each day begins without a status
    with pytest.raises(Invalid):
        report(paper="wet")
    with pytest.raises(Invalid):
        report(fault="on_fire")
    statuses = device_events(ctx, EventType.DEVICE_STATUS)
    assert [e.data["fault"] for e in statuses] == [None, "paper_out", None, "cover_open", "cover_open"]
    assert all(e.actor == "kiosk-1" for e in statuses)
