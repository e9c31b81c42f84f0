"""The pure domain of a service hall: ticket and counter states, numbering, selection of
the next ticket, timing and compliance. Nothing here imports Flask or SQLAlchemy."""
