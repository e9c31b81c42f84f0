"""The hall's devices (DESIGN.md §5): one class per transport, as python-escpos has, each with a
simulated twin, and the workers that drive them through the service layer."""
