"""The Order aggregate and its state machine. Pure Python: no Django."""
