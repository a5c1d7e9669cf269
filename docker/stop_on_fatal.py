"""supervisord event listener: when a program goes FATAL, stop supervisord (ADR 0018).

A program is FATAL once it kept exiting within `startsecs` more than `startretries` times
in a row (docker/supervisord.conf). supervisord would then leave it dead and run the others
on; instead this writes the program's name to SHOP_DATA_DIR/supervisord.fatal, where
docker/entrypoint.sh finds it and exits 1, and sends supervisord SIGTERM, which stops the
other programs gracefully. The container's restart policy (or the person who ran `make
run-prod`) takes it from there. Standard library only: it runs in the image as is.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main() -> None:
    marker = Path(os.environ["SHOP_DATA_DIR"]) / "supervisord.fatal"
    while True:
        # The listener protocol: READY on stdout, a header line and a payload on stdin,
        # then a RESULT on stdout. stderr is ours for messages.
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        header = dict(token.split(":", 1) for token in sys.stdin.readline().split())
        payload = sys.stdin.read(int(header["len"]))
        fields = dict(token.split(":", 1) for token in payload.split("\n", 1)[0].split())
        if header.get("eventname") == "PROCESS_STATE_FATAL":
            name = fields.get("processname", "?")
            marker.write_text(f"{name}\n")
            sys.stderr.write(
                f"stop-on-fatal: {name} kept exiting at start (FATAL): stopping supervisord\n"
            )
            sys.stderr.flush()
            os.kill(os.getppid(), signal.SIGTERM)
        sys.stdout.write("RESULT 2\nOK")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
