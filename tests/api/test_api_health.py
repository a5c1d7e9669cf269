"""/healthz says the process is up; /readyz says every store is reachable, or names the one that is not."""

import pytest
from django.conf import settings

ALIASES = ["default", *settings.SHOP_CONTEXTS]


def test_healthz_answers_without_touching_a_store(anon):
    response = anon.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(databases="__all__")
def test_readyz_lists_every_store_as_reachable(anon):
    response = anon.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": dict.fromkeys(ALIASES, "ok"),
        # The process's service and what it hosts (docs/topology.md): here, everything.
        "service": "shop",
        "hosts": ["identity", *settings.SHOP_CONTEXTS],
    }


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("alias", ALIASES)
def test_readyz_is_a_503_problem_naming_an_unreachable_store(
    anon, unreachable_store, alias, problem
):
    unreachable_store(alias)

    response = anon.get("/readyz")

    body = problem(response, 503, "not-ready")
    assert body["failing"] == [alias]
    assert alias in body["detail"]
    assert body["checks"][alias].startswith("unreachable")
    assert {a: state for a, state in body["checks"].items() if a != alias} == {
        a: "ok" for a in ALIASES if a != alias
    }


@pytest.mark.django_db(databases="__all__")
def test_readyz_names_every_unreachable_store(anon, unreachable_store, problem):
    unreachable_store("ordering")
    unreachable_store("billing")

    body = problem(anon.get("/readyz"), 503, "not-ready")

    assert body["failing"] == ["billing", "ordering"]
