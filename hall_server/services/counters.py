"""Use cases of a counter: a clerk signs in and out, pauses and resumes."""
from ..domain.actors import Actor, Role
from ..domain.counters import PAUSE_REASONS, Counter
from ..domain.errors import Conflict, Invalid
from ..domain.events import EventType as E
from .context import HallContext
from .guards import counter_for, known_counter


def sign_in(ctx: HallContext, hall_id: str, counter: int, actor: Actor,
            clerk: str | None = None) -> Counter:
    """Open the counter for `clerk` (a clerk signs in as themselves)."""
    hall = ctx.hall(hall_id, actor)
    clerk = actor.name if actor.role is Role.CLERK or clerk is None else clerk
    with ctx.store.write(hall_id, ctx.clock) as tx:
        desk = tx.counter(known_counter(hall, counter))
        if desk.clerk == clerk:
            return desk  # already signed in here: signing in again changes nothing
        elsewhere = [c.number for c in tx.counters(hall_id) if c.clerk == clerk]
        if elsewhere:
            raise Conflict(f"{clerk} is signed in at counter {elsewhere[0]}", "clerk_elsewhere")
        tx.record(E.COUNTER_SIGNED_IN, counter=counter, actor=actor.name, data={"clerk": clerk})
        return desk


def sign_out(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Counter:
    return _counter_event(ctx, hall_id, counter, actor, E.COUNTER_SIGNED_OUT, {})


def pause(ctx: HallContext, hall_id: str, counter: int, actor: Actor, reason: str) -> Counter:
    if reason not in PAUSE_REASONS:
        raise Invalid(f"pause reason must be one of {', '.join(PAUSE_REASONS)}", "invalid_reason")
    return _counter_event(ctx, hall_id, counter, actor, E.COUNTER_PAUSED, {"reason": reason})


def resume(ctx: HallContext, hall_id: str, counter: int, actor: Actor) -> Counter:
    return _counter_event(ctx, hall_id, counter, actor, E.COUNTER_RESUMED, {})


def _counter_event(ctx: HallContext, hall_id: str, counter: int, actor: Actor, kind: E,
                   data: dict) -> Counter:
    hall = ctx.hall(hall_id, actor)
    with ctx.store.write(hall_id, ctx.clock) as tx:
        desk = counter_for(tx, hall, counter, actor)
        tx.record(kind, counter=counter, actor=actor.name, data=data)
        return desk
