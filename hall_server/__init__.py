"""Hall server: queue engine, storage and entry points for a service hall."""
