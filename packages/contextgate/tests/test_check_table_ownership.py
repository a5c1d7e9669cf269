"""Check 4, table ownership: hand-written SQL names only the context's own tables and no
other context's schema, and a migration neither depends on another app's migrations nor
loads another context's models."""

from __future__ import annotations

from .trees import CLEAN, found, line, write

APPLICATION = "acme/sales/application.py"
MIGRATION = "acme/sales/migrations/0003_planted.py"

SQL = """\
from django.db import connection

from acme.sales.models import Order


def report() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sku FROM warehouse_item WHERE on_hand = 0")  # default table
        cursor.execute(
            'SELECT code FROM "stock_location"'  # db_table
        )
        cursor.execute("SELECT * FROM warehouse.item_archive")  # schema
        cursor.execute("SELECT * FROM sales_order JOIN sales.orderline USING (id)")  # own
        cursor.execute("SELECT * FROM warehouse_item_history")  # longer name
    query = "SELECT * FROM warehouse_item"  # variable
    return list(Order.objects.raw(query))
"""


def test_the_clean_tree_touches_only_its_own_tables(tmp_path):
    # Stock updates stock_location (its own db_table); sales' migrations use sales' tables.
    assert "stock_location" in CLEAN["acme/apps/stock/application.py"]
    assert found(write(tmp_path), "table-ownership") == []


def test_sql_naming_another_context_s_table_or_schema_is_found(tmp_path):
    violations = found(write(tmp_path, {"acme/sales/reports.py": SQL}), "table-ownership")

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(SQL, "# default table"), "table warehouse_item"),
        (line(SQL, "# db_table"), "table stock_location"),
        (line(SQL, "# schema"), "schema warehouse"),
        (line(SQL, "# variable"), "table warehouse_item"),
    }
    assert {(v["file"], v["context"]) for v in violations} == {("acme/sales/reports.py", "sales")}
    by_line = {v["line"]: v for v in violations}
    assert by_line[line(SQL, "# variable")]["message"] == (
        "SQL in acme.sales.reports (raw) names table warehouse_item, which belongs to warehouse."
    )


def test_sql_outside_every_context_naming_a_context_s_table_is_found(tmp_path):
    script = (
        'from django.db import connection\n\nconnection.cursor().execute("TRUNCATE sales_order")\n'
    )
    violations = found(write(tmp_path, {"acme/common/reset.py": script}), "table-ownership")

    assert [(v["file"], v["line"], v["context"], v["imported"]) for v in violations] == [
        ("acme/common/reset.py", 3, "common", "table sales_order")
    ]


def test_a_many_to_many_table_belongs_to_its_model_s_context(tmp_path):
    # OrderLine.related in CLEAN is a ManyToManyField without `through`.
    sql = CLEAN["acme/apps/stock/application.py"] + (  # noqa: S608 (planted SQL, never run)
        "\n\ndef audit(cursor) -> None:\n"
        '    cursor.execute("SELECT count(*) FROM sales_orderline_related")  # planted\n'
    )
    violations = found(write(tmp_path, {"acme/apps/stock/application.py": sql}), "table-ownership")

    assert [(v["line"], v["imported"]) for v in violations] == [
        (line(sql, "# planted"), "table sales_orderline_related")
    ]


RUN_SQL = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_lines"),
        ("warehouse", "0001_initial"),  # dependency
    ]
    operations = [
        migrations.RunSQL("UPDATE warehouse_item SET on_hand = 0"),  # runsql
    ]
"""


def test_run_sql_and_a_dependency_on_another_context_s_migration_are_found(tmp_path):
    violations = found(write(tmp_path, {MIGRATION: RUN_SQL}), "table-ownership")

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(RUN_SQL, "# dependency"), "migration warehouse.0001_initial"),
        (line(RUN_SQL, "# runsql"), "table warehouse_item"),
    }
    assert {(v["file"], v["context"]) for v in violations} == {(MIGRATION, "sales")}


GET_MODEL = """\
from django.db import migrations


def copy(apps, schema_editor):
    apps.get_model("sales", "Order").objects.all()
    for item in apps.get_model("warehouse", "Item").objects.all():  # two arguments
        pass
    apps.get_model("warehouse.Location").objects.all()  # one label


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_lines")]
    operations = [migrations.RunPython(copy)]
"""


def test_a_migration_loading_another_context_s_model_is_found(tmp_path):
    violations = found(write(tmp_path, {MIGRATION: GET_MODEL}), "table-ownership")

    assert {(v["file"], v["line"], v["imported"]) for v in violations} == {
        (MIGRATION, line(GET_MODEL, "# two arguments"), "model warehouse.Item"),
        (MIGRATION, line(GET_MODEL, "# one label"), "model warehouse.Location"),
    }


def test_a_migration_depending_on_the_user_model_crosses_too(tmp_path):
    migration = RUN_SQL.replace(
        '        ("warehouse", "0001_initial"),  # dependency\n',
        "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),  # dependency\n",
    ).replace('        migrations.RunSQL("UPDATE warehouse_item SET on_hand = 0"),  # runsql\n', "")
    violations = found(write(tmp_path, {MIGRATION: migration}), "table-ownership")

    assert [(v["line"], v["imported"]) for v in violations] == [
        (line(migration, "# dependency"), "migration auth.(swappable AUTH_USER_MODEL)")
    ]
