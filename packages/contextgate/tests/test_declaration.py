"""What a declaration means: nested contexts, blank lines, a module as an owner."""

from __future__ import annotations

from .trees import CONFIG, check, places, write

NESTED = CONFIG.replace(
    "    acme.apps.stock as warehouse\n",
    "    acme.apps.stock as warehouse\n\n    acme.apps.stock.reviews\n",
)
REVIEWS = {
    "acme/apps/stock/reviews/__init__.py": "",
    "acme/apps/stock/reviews/api.py": "__all__ = []\n",
    "acme/apps/stock/reviews/models.py": """\
        from django.db import models


        class Review(models.Model):
            pass


        class Vote(models.Model):
            review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE)
            item = models.ForeignKey("warehouse.Item", on_delete=models.CASCADE)  # planted
        """,
}


def test_an_app_nested_in_a_context_is_a_context_of_its_own_and_a_blank_line_is_no_context(
    tmp_path,
):
    """Listed after the context whose package holds it, with a blank line between: its own
    relations stay inside it, and one into the outer context crosses."""
    project = write(tmp_path, REVIEWS, config=NESTED)

    run = check(project)  # every check: import-linter's reader keeps the blank line

    assert run.code == 1, run.err
    violations = [v for v in run.violations if v["check"] == "orm-relations"]
    assert places(violations) == {("acme/apps/stock/reviews/models.py", 10)}
    assert violations[0]["context"] == "reviews"


def test_a_module_as_composition_root_keeps_its_ratchet_beside_it(tmp_path):
    config = CONFIG.replace("composition_root = acme.site", "composition_root = acme.web")
    project = write(
        tmp_path, {"acme/web.py": "from acme.sales import application  # planted\n"}, config=config
    )
    assert check(project).code == 1

    baseline = check(project, "--baseline")

    assert baseline.code == 0, baseline.out
    assert (project / "acme" / "web.architecture_todo.toml").is_file()
    assert check(project).code == 0
