"""The customer's own view of their ticket, behind an unguessable link (`/t/<token>`): the
token is the ticket's id signed with the server's key, so nothing is stored for it and no
one can reach another customer's ticket by changing a digit."""
import os

from ..domain.actors import Actor, Role
from ..domain.errors import NotFound
from ..domain.tickets import TicketStatus
from . import queries, signing, tickets
from .context import HallContext
from .queries import Placed

PURPOSE = "track"
#: where a server with no public address configured is reached
DEFAULT_BASE = "http://127.0.0.1:8000"


def tracking_token(ctx: HallContext, ticket_id: int) -> str:
    return f"{ticket_id}-{signing.sign(ctx, PURPOSE, str(ticket_id))}"


def tracking_path(ctx: HallContext, ticket_id: int) -> str:
    return f"/t/{tracking_token(ctx, ticket_id)}"


def public_base(ctx: HallContext, hall_id: str, base: str | None = None) -> str:
    """The address phones and devices open: the hall's `public_url`, else `base` (the address
    a request came to), else HALL_PUBLIC_URL, else the local default."""
    url = ctx.hall(hall_id).public_url or base or os.environ.get("HALL_PUBLIC_URL") or DEFAULT_BASE
    return url.rstrip("/")


def tracking_url(ctx: HallContext, hall_id: str, ticket_id: int, base: str | None = None) -> str:
    return public_base(ctx, hall_id, base) + tracking_path(ctx, ticket_id)


def tracked_ticket(ctx: HallContext, token: str) -> Placed:
    """The ticket a token stands for, with its place; NotFound for any token not ours."""
    ticket_id = _ticket_id(ctx, token)
    try:
        return queries.get_ticket(ctx, ticket_id, None)
    except NotFound:
        raise _unknown() from None


def give_up(ctx: HallContext, token: str) -> None:
    """The customer gives up their waiting ticket (once called, only the clerk may end it)."""
    ticket = tracked_ticket(ctx, token).ticket
    customer = Actor("customer", Role.SYSTEM, frozenset({ticket.hall}))
    tickets.cancel(ctx, ticket.hall, ticket.id, customer, only=TicketStatus.WAITING)


def _ticket_id(ctx: HallContext, token: str) -> int:
    ticket_id, _, signature = token.partition("-")
    if not ticket_id.isdigit() or len(ticket_id) > 12 or not signing.verify(ctx, PURPOSE, ticket_id, signature):
        raise _unknown()
    return int(ticket_id)


def _unknown() -> NotFound:
    return NotFound("no such ticket", "unknown_ticket")
