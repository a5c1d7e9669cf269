#!/usr/bin/env python
"""Django's command-line entry point for shop.

A setting the environment gets wrong (no SHOP_SECRET_KEY, say) or a store that was never
migrated ends in one line and exit status 1, not a traceback
(shop.platform.management.operator_errors); `--traceback` shows the trace.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")
    from django.core.management import execute_from_command_line

    from shop.platform.management.operator_errors import run

    run(execute_from_command_line, sys.argv)


if __name__ == "__main__":
    main()
