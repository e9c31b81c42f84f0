"""The rows of the hall's alerts. Plain reads and writes on a transaction's connection; the
store's Reader and WriteTx call them (store.py), so an alert changes in the same transaction
as its event. The rules are in domain/alerts.py and domain/alert_rules.py."""
from datetime import datetime

from sqlalchemy import Connection, and_, insert, or_, select, update

from ..domain.alerts import Alert, Severity
from . import tables as t

A = t.alerts.c
#: the columns that change after an alert is raised
_MUTABLE = ("severity", "escalated", "message", "data", "updated_at", "acknowledged_at", "acknowledged_by",
            "resolved_at", "resolved_by", "held", "escalated_at", "critical_at", "notes")


def alert_from_row(row) -> Alert:
    m = row._mapping
    return Alert(
        id=m["id"], hall=m["hall"], rule=m["rule"], subject=m["subject"], severity=Severity(m["severity"]),
        escalated=m["escalated"], sticky=m["sticky"], message=m["message"], data=m["data"],
        raised_at=m["raised_at"], updated_at=m["updated_at"], acknowledged_at=m["acknowledged_at"],
        acknowledged_by=m["acknowledged_by"], resolved_at=m["resolved_at"], resolved_by=m["resolved_by"],
        held=m["held"], escalated_at=m["escalated_at"], critical_at=m["critical_at"], notes=list(m["notes"]))


def _values(alert: Alert, names: tuple[str, ...]) -> dict:
    values = {name: getattr(alert, name) for name in names}
    if "severity" in values:
        values["severity"] = alert.severity.value
    return values


def standing(conn: Connection, hall: str) -> list[Alert]:
    """The hall's open alerts and the held ones (resolved by hand, not to be raised again yet)."""
    rows = conn.execute(select(t.alerts).where(A.hall == hall, or_(A.resolved_at.is_(None), A.held.is_(True)))
                        .order_by(A.id))
    return [alert_from_row(row) for row in rows]


def listed(conn: Connection, hall: str, open_only: bool, since: datetime | None, limit: int) -> list[Alert]:
    """The hall's open alerts, or all of them raised since `since`, newest first."""
    query = select(t.alerts).where(A.hall == hall)
    if open_only:
        query = query.where(A.resolved_at.is_(None))
    elif since is not None:
        query = query.where(or_(A.raised_at >= since, A.resolved_at.is_(None)))
    return [alert_from_row(row) for row in conn.execute(query.order_by(A.raised_at.desc(), A.id.desc()).limit(limit))]


def find(conn: Connection, alert_id: int) -> Alert | None:
    row = conn.execute(select(t.alerts).where(A.id == alert_id)).first()
    return alert_from_row(row) if row else None


def add(conn: Connection, alert: Alert) -> None:
    """Insert a new alert and give it its id; the unique index refuses a second open one."""
    values = _values(alert, ("hall", "rule", "subject", "sticky", "raised_at", *_MUTABLE))
    alert.id = conn.execute(insert(t.alerts).values(values).returning(A.id)).scalar_one()


def save(conn: Connection, alert: Alert, updated_before: datetime) -> bool:
    """Write what changed; a compare-and-set on `updated_at`: False if it changed meanwhile."""
    done = conn.execute(update(t.alerts).where(and_(A.id == alert.id, A.updated_at == updated_before))
                        .values(_values(alert, _MUTABLE))).rowcount
    return done == 1
