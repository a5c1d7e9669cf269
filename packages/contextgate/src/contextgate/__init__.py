"""contextgate: an architecture gate for Django modular monoliths.

The bounded contexts are declared once, as a ``bounded_contexts`` contract in
``importlinter.ini``; ``lint-imports`` runs its import rules, and ``contextgate check``
runs those and the Django-aware rules from the source tree alone. See README.md.
"""

__version__ = "0.1.0"
