"""The service layer: one function per use case, one transaction each.

Every entry point (HTTP, Socket.IO, command line, scheduler, device workers) calls these
functions; none of them touches the database or the domain rules directly.
"""
