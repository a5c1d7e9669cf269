"""Shadow comparison: does the extracted service answer what the monolith answers?

While a context is shadowed (docs/extracting-a-context.md), the proxy serves every request
from the monolith and mirrors the context's GET requests to the service that will take it
over, with the same `X-Request-ID`. Each side records what it answered
(`recording.ShadowRecorder`): the request id, the path, the status and the body with its
volatile values normalised, one JSON line per request. `manage.py shadow_report` pairs the
two sides' records by request id and says how many matched, listing each mismatch with
both bodies (`report`). That report decides the cutover.
"""
