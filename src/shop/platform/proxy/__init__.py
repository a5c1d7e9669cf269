"""The strangler proxy: nginx in front of the services, configured per rollout state.

`manage.py proxy_config` (docs/proxy.md) turns the split topology, the context being moved
and a state (monolith, shadow, cutover, rollback) into a whole nginx.conf, and with a
prefix directory installs it (`nginx -t` first) and reloads the running nginx.
"""
