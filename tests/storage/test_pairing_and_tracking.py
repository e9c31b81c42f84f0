"""Pairing codes and tracking tokens in the service layer, on both databases, on a virtual clock."""
import pytest

from hall_server.bootstrap import open_context
from hall_server.domain.errors import Conflict, NotFound
from hall_server.domain.tickets import TicketStatus
from hall_server.services import accounts, counters, tickets, tracking

from ..conftest import KIOSK, clerk


def test_a_pairing_code_works_once_and_within_a_day(ctx, clock):
    accounts.add_device(ctx, "demo", "kiosk", "kiosk-pair")
    code = accounts.pairing_link(ctx, "demo", "kiosk-pair").removeprefix("/pair/")
    token, device = accounts.pair(ctx, code)
    assert (device.hall, device.kind.value, device.name) == ("demo", "kiosk", "kiosk-pair")
    assert accounts.authenticate(ctx, token).name == "kiosk-pair"
    with pytest.raises(NotFound):
        accounts.pair(ctx, code)
    late = accounts.pairing_link(ctx, "demo", "kiosk-pair").removeprefix("/pair/")
    clock.advance(accounts.PAIRING_TTL.total_seconds() + 1)
    with pytest.raises(NotFound):
        accounts.pair(ctx, late)


def test_a_revoked_device_neither_pairs_nor_keeps_its_paired_token(ctx):
    accounts.add_device(ctx, "demo", "display", "display-pair")
    first = accounts.pairing_link(ctx, "demo", "display-pair").removeprefix("/pair/")
    second = accounts.pairing_link(ctx, "demo", "display-pair").removeprefix("/pair/")
    token, _device = accounts.pair(ctx, first)
    accounts.revoke_device(ctx, "demo", "display-pair")
    with pytest.raises(accounts.Unauthorized):
        accounts.authenticate(ctx, token)
    with pytest.raises(NotFound):
        accounts.pair(ctx, second)
    with pytest.raises(NotFound):
        accounts.pairing_link(ctx, "demo", "display-pair")


def test_a_tracking_token_is_the_ticket_signed_and_survives_a_restart(ctx, database_url, config, clock):
    ticket = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    token = tracking.tracking_token(ctx, ticket.id)
    assert tracking.tracked_ticket(ctx, token).ticket.id == ticket.id
    restarted = open_context(config, database_url, clock, migrate_schema=False)
    try:
        assert tracking.tracking_token(restarted, ticket.id) == token
    finally:
        restarted.store.engine.dispose()
    ticket_id, _, signature = token.partition("-")
    forged = [f"{int(ticket_id) + 1}-{signature}", f"{ticket_id}-{signature[:-1]}", ticket_id, "", "x-y",
              f"{ticket_id}-{signature}x"]
    for bad in forged:
        with pytest.raises(NotFound):
            tracking.tracked_ticket(ctx, bad)


def test_another_database_signs_with_another_key(ctx, tmp_path, config, clock):
    other = open_context(config, f"sqlite:///{tmp_path / 'other.db'}", clock)
    try:
        assert tracking.tracking_token(other, 1) != tracking.tracking_token(ctx, 1)
    finally:
        other.store.engine.dispose()


def test_the_customer_gives_up_a_waiting_ticket_only(ctx):
    waiting = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    token = tracking.tracking_token(ctx, waiting.id)
    tracking.give_up(ctx, token)
    assert tracking.tracked_ticket(ctx, token).ticket.status is TicketStatus.CANCELLED
    called = tickets.issue_ticket(ctx, "demo", "fee", KIOSK)
    counters.sign_in(ctx, "demo", 1, clerk())
    assert tickets.call_next(ctx, "demo", 1, clerk()).id == called.id
    with pytest.raises(Conflict) as refused:
        tracking.give_up(ctx, tracking.tracking_token(ctx, called.id))
    assert refused.value.code == "not_waiting"
    assert tracking.tracked_ticket(ctx, tracking.tracking_token(ctx, called.id)).ticket.status is TicketStatus.CALLED
