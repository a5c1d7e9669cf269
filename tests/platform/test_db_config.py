"""DATABASES and the router: a store per context, and nothing crosses between them.

`build_databases` and `postgres_targets` are pure functions of an environment dict, so
every deployment shape can be checked without a server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord
from shop.catalog.infrastructure.models import ProductRecord
from shop.inventory.infrastructure.models import StockItemRecord
from shop.ordering.infrastructure.models import OrderRecord
from shop.platform.db.config import build_databases, postgres_targets
from shop.platform.db.routers import ContextRouter

CONTEXTS = ["catalog", "inventory", "ordering", "billing"]
ALIASES = ["default", *CONTEXTS]
URL = "postgresql://db.internal:5433/shop"
# PostgreSQL mode must not touch the data directory; creating this one would fail.
UNUSED_DATA_DIR = Path("/nonexistent/shop-var")


def postgres(env: dict[str, str]) -> dict[str, dict]:
    return build_databases(CONTEXTS, data_dir=UNUSED_DATA_DIR, env={"SHOP_DATABASE_URL": URL} | env)


# --- embedded SQLite ------------------------------------------------------------------


def test_sqlite_mode_gives_one_file_per_alias_under_the_data_dir(tmp_path):
    data_dir = tmp_path / "var"
    databases = build_databases(CONTEXTS, data_dir=data_dir, env={})
    assert list(databases) == ALIASES
    for alias, settings in databases.items():
        assert settings["ENGINE"] == "django.db.backends.sqlite3"
        assert settings["NAME"] == str(data_dir / f"{alias}.sqlite3")
    assert len({s["NAME"] for s in databases.values()}) == len(ALIASES)
    assert data_dir.is_dir()


def test_a_blank_database_url_means_sqlite(tmp_path):
    databases = build_databases(CONTEXTS, data_dir=tmp_path, env={"SHOP_DATABASE_URL": "  "})
    assert {s["ENGINE"] for s in databases.values()} == {"django.db.backends.sqlite3"}


# --- PostgreSQL -----------------------------------------------------------------------


def test_postgres_mode_gives_one_role_per_alias_in_one_database():
    databases = postgres({"SHOP_DB_ROLE_PREFIX": "acme"})
    assert list(databases) == ALIASES
    assert {alias: s["USER"] for alias, s in databases.items()} == {
        "default": "acme_identity",
        "catalog": "acme_catalog",
        "inventory": "acme_inventory",
        "ordering": "acme_ordering",
        "billing": "acme_billing",
    }
    for settings in databases.values():
        assert settings["ENGINE"] == "shop.platform.db.postgresql"
        assert (settings["HOST"], settings["PORT"], settings["NAME"]) == (
            "db.internal",
            "5433",
            "shop",
        )
        assert settings["PASSWORD"] == ""


@pytest.mark.parametrize(
    ("value", "checked"), [(None, True), ("1", True), ("0", False), (" False ", False)]
)
def test_persistent_connections_are_health_checked_unless_turned_off(value, checked):
    databases = postgres({} if value is None else {"SHOP_DB_HEALTH_CHECKS": value})
    assert {s["CONN_HEALTH_CHECKS"] for s in databases.values()} == {checked}
    assert {s["CONN_MAX_AGE"] for s in databases.values()} == {60}


def test_the_default_role_prefix_is_shop_and_default_lives_in_identity():
    targets = {t.alias: t for t in postgres_targets(CONTEXTS, URL, {})}
    assert (targets["default"].schema, targets["default"].role) == ("identity", "shop_identity")
    for context in CONTEXTS:
        assert (targets[context].schema, targets[context].role) == (context, f"shop_{context}")


@pytest.mark.parametrize("url", ["postgresql://shop@db/shop", "postgresql://shop:secret@db/shop"])
def test_a_user_in_the_shared_url_is_refused_with_a_clear_error(url):
    with pytest.raises(ValueError, match="must not name a user") as refused:
        postgres_targets(CONTEXTS, url, {})
    assert "SHOP_<ALIAS>_DATABASE_URL" in str(refused.value)


def test_an_alias_url_moves_only_that_alias_to_its_own_server_db_and_role():
    env = {"SHOP_BILLING_DATABASE_URL": "postgresql://payer:pw@billing.internal:6543/money"}
    databases = postgres(env)
    billing = databases["billing"]
    assert (billing["HOST"], billing["PORT"], billing["NAME"], billing["USER"]) == (
        "billing.internal",
        "6543",
        "money",
        "payer",
    )
    assert billing["PASSWORD"] == "pw"
    for alias in ("default", "catalog", "inventory", "ordering"):
        assert (databases[alias]["HOST"], databases[alias]["NAME"]) == ("db.internal", "shop")
    targets = {t.alias: t for t in postgres_targets(CONTEXTS, URL, env)}
    assert targets["billing"].schema == "billing"


def test_an_alias_url_without_a_user_keeps_the_prefixed_role():
    env = {"SHOP_CATALOG_DATABASE_URL": "postgresql://catalog.internal/catalog"}
    catalog = postgres(env)["catalog"]
    assert (catalog["HOST"], catalog["PORT"], catalog["USER"]) == (
        "catalog.internal",
        "5432",
        "shop_catalog",
    )


def test_passwords_come_from_each_alias_password_variable():
    databases = postgres(
        {
            "SHOP_ORDERING_DATABASE_PASSWORD": "order-secret",
            "SHOP_DEFAULT_DATABASE_PASSWORD": "identity-secret",
        }
    )
    assert databases["ordering"]["PASSWORD"] == "order-secret"
    assert databases["default"]["PASSWORD"] == "identity-secret"
    assert databases["billing"]["PASSWORD"] == ""


def test_the_password_variable_wins_over_a_password_in_the_alias_url():
    env = {
        "SHOP_BILLING_DATABASE_URL": "postgresql://payer:in-url@billing.internal/money",
        "SHOP_BILLING_DATABASE_PASSWORD": "from-variable",
    }
    assert postgres(env)["billing"]["PASSWORD"] == "from-variable"


def test_url_encoded_parts_are_decoded():
    env = {"SHOP_BILLING_DATABASE_URL": "postgresql://pay%40er:p%2Fw@billing.internal/mo%20ney"}
    billing = postgres(env)["billing"]
    assert (billing["USER"], billing["PASSWORD"], billing["NAME"]) == ("pay@er", "p/w", "mo ney")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SHOP_DATABASE_URL": "mysql://db/shop"}, "SHOP_DATABASE_URL"),
        ({"SHOP_DATABASE_URL": "sqlite:///var/shop.db"}, "SHOP_DATABASE_URL"),
        ({"SHOP_BILLING_DATABASE_URL": "mysql://db/money"}, "SHOP_BILLING_DATABASE_URL"),
    ],
)
def test_a_scheme_other_than_postgres_is_refused(env, variable):
    with pytest.raises(ValueError, match="unsupported scheme") as refused:
        postgres(env)
    assert variable in str(refused.value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SHOP_DATABASE_URL": "postgresql://db.internal:5432"}, "SHOP_DATABASE_URL"),
        ({"SHOP_DATABASE_URL": "postgresql://db.internal/"}, "SHOP_DATABASE_URL"),
        (
            {"SHOP_INVENTORY_DATABASE_URL": "postgres://stock.internal"},
            "SHOP_INVENTORY_DATABASE_URL",
        ),
    ],
)
def test_a_url_without_a_database_name_is_refused(env, variable):
    with pytest.raises(ValueError, match="names no database") as refused:
        postgres(env)
    assert variable in str(refused.value)


def test_both_postgres_schemes_are_accepted():
    databases = build_databases(
        CONTEXTS,
        data_dir=UNUSED_DATA_DIR,
        env={"SHOP_DATABASE_URL": "postgres://db.internal/shop"},
    )
    assert databases["catalog"]["NAME"] == "shop"


def test_every_alias_shares_one_test_database_name():
    assert {s["TEST"]["NAME"] for s in postgres({}).values()} == {"test_shop"}


# --- the router -----------------------------------------------------------------------

router = ContextRouter()
MODELS = {
    "catalog": ProductRecord,
    "inventory": StockItemRecord,
    "ordering": OrderRecord,
    "billing": InvoiceRecord,
    "default": User,
}


@pytest.mark.parametrize(("alias", "model"), MODELS.items())
def test_each_contexts_models_are_read_and_written_on_its_own_alias(alias, model):
    assert router.db_for_read(model) == alias
    assert router.db_for_write(model) == alias


def test_djangos_own_apps_use_the_default_alias():
    assert router.db_for_read(Session) == router.db_for_write(Session) == "default"


@pytest.mark.parametrize("app_label", [*CONTEXTS, "auth", "admin", "sessions", "authtoken"])
def test_migrations_run_only_on_the_apps_own_alias(app_label):
    own = app_label if app_label in CONTEXTS else "default"
    assert router.allow_migrate(own, app_label) is True
    for other in ALIASES:
        if other != own:
            assert router.allow_migrate(other, app_label) is False


@pytest.mark.parametrize(("alias", "model"), MODELS.items())
def test_relations_across_contexts_are_refused(alias, model):
    for other_alias, other in MODELS.items():
        allowed = router.allow_relation(model(), other())
        assert allowed is (other_alias == alias)


def test_relations_within_a_context_are_allowed():
    assert router.allow_relation(PaymentRecord(), InvoiceRecord()) is True


@pytest.mark.parametrize(("value", "prepared"), [(None, True), ("1", True), ("0", False)])
def test_statements_are_bound_and_prepared_server_side_unless_turned_off(value, prepared):
    databases = postgres({} if value is None else {"SHOP_DB_PREPARED_STATEMENTS": value})
    for settings in databases.values():
        options = settings["OPTIONS"]
        if prepared:
            assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)
        else:
            assert "server_side_binding" not in options and "prepare_threshold" not in options
