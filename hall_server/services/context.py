"""What every use case needs: the configuration, the store and the clock."""
from dataclasses import dataclass, field

from ..config import Hall, HallsConfig
from ..domain.actors import Actor
from ..domain.clock import Clock, SystemClock
from ..domain.errors import Forbidden, NotFound
from ..storage.store import Store


@dataclass
class HallContext:
    config: HallsConfig
    store: Store
    clock: Clock = field(default_factory=SystemClock)
    #: the server's signing key, read from the database on first use (services/signing.py)
    signing_key: bytes | None = field(default=None, repr=False)
    #: what use cases keep between calls in this process, by their own keys (the alert
    #: rules' view of today's log, services/alert_snapshot.py)
    memo: dict = field(default_factory=dict, repr=False)

    def hall(self, hall_id: str, actor: Actor | None = None) -> Hall:
        """The hall's configuration; unknown halls and halls the actor may not enter fail."""
        hall = self.config.by_id.get(hall_id)
        if hall is None:
            raise NotFound(f"no hall {hall_id!r}", "unknown_hall")
        if actor is not None and not actor.may_act_in(hall_id):
            raise Forbidden(f"{actor.name} may not act in hall {hall_id!r}", "wrong_hall")
        return hall
