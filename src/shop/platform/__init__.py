"""Infrastructure shared by every context: storage routing, HTTP conventions, operations.

`shop.platform` knows that contexts exist (their names come from settings) but
never imports one, and holds no domain rule.
"""
