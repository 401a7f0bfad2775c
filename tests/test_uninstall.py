"""Uninstalling the addon leaves no trace in the database schema.

Not part of Odoo's test run (tests/__init__.py does not import it): Odoo forbids module
operations inside its test runner (``_button_immediate_function`` raises under a testing
thread), and an uninstall in the middle of the suite would pull the module from under
the tests that follow. ``python3 scripts/dev.py test`` runs it after the suite, as a
plain unittest in its own process, on a copy of the suite's database (the database named
by HELPDESK_AFTER_SALES_UNINSTALL_DB), and counts it in its ``N passed, N failed`` line.
"""

import importlib
import os
import unittest

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

MODULE = "helpdesk_after_sales"


def addon_schema(env):
    """The tables, columns, indexes and constraints that exist because of this addon."""
    cr = env.cr
    data = env["ir.model.data"]
    tables, columns = set(), set()

    def owned_only_by_addon(model, ids):
        others = data.search(
            [("model", "=", model), ("res_id", "in", ids), ("module", "!=", MODULE)]
        )
        return set(ids) - set(others.mapped("res_id"))

    own = data.search(
        [("module", "=", MODULE), ("model", "in", ("ir.model", "ir.model.fields"))]
    )
    model_ids = owned_only_by_addon(
        "ir.model", own.filtered(lambda d: d.model == "ir.model").mapped("res_id")
    )
    for model in env["ir.model"].browse(model_ids):
        if model.model in env and not env[model.model]._abstract:
            tables.add(env[model.model]._table)
    field_ids = owned_only_by_addon(
        "ir.model.fields",
        own.filtered(lambda d: d.model == "ir.model.fields").mapped("res_id"),
    )
    for field_data in env["ir.model.fields"].browse(field_ids):
        model = env.get(field_data.model)
        field = model._fields.get(field_data.name) if model is not None else None
        # An abstract model's fields (the service mixin's) have no table of their own.
        if field is None or not field.store or model._abstract:
            continue
        if field.type == "many2many":
            tables.add(field.relation)
        elif field.column_type:
            columns.add((model._table, field.name))
    cr.execute(
        """SELECT c.name FROM ir_model_constraint c
            JOIN ir_module_module m ON m.id = c.module
            WHERE m.name = %s""",
        [MODULE],
    )
    constraints = {row[0] for row in cr.fetchall()}
    cr.execute(
        """SELECT i.relname FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
            WHERE (t.relname, a.attname) IN %s""",
        [tuple(columns) or (("", ""),)],
    )
    indexes = {row[0] for row in cr.fetchall()}
    # This file runs outside the addon's package (see above): no relative import.
    package = importlib.import_module(f"odoo.addons.{MODULE}")
    indexes.update({package.REFUNDABLE_INDEX, package.COUPON_USE_INDEX})
    return {
        "tables": tables,
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
    }


def existing(cr, schema):
    """The part of ``schema`` that the database still has."""
    # Views too: the After-Sales report is one.
    cr.execute("SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'v')")
    all_tables = {row[0] for row in cr.fetchall()}
    cr.execute("SELECT table_name, column_name FROM information_schema.columns")
    all_columns = set(cr.fetchall())
    cr.execute("SELECT relname FROM pg_class WHERE relkind = 'i'")
    all_indexes = {row[0] for row in cr.fetchall()}
    cr.execute("SELECT conname FROM pg_constraint")
    all_constraints = {row[0] for row in cr.fetchall()}
    return {
        "tables": schema["tables"] & all_tables,
        "columns": schema["columns"] & all_columns,
        "indexes": schema["indexes"] & all_indexes,
        "constraints": schema["constraints"] & all_constraints,
    }


class TestUninstall(unittest.TestCase):
    def test_uninstall_leaves_no_trace(self):
        dbname = os.environ["HELPDESK_AFTER_SALES_UNINSTALL_DB"]
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            schema = addon_schema(env)
            present = existing(cr, schema)
            # What is checked below is really there before: columns on core tables
            # (credit notes, transfers, tickets), the addon's own indexes, the foreign
            # keys.
            self.assertIn(("account_move", "helpdesk_ticket_id"), present["columns"])
            self.assertIn(("helpdesk_ticket", "lot_id"), present["columns"])
            self.assertIn("account_move_helpdesk_refundable_idx", present["indexes"])
            self.assertIn("sale_order_line_helpdesk_coupon_idx", present["indexes"])
            self.assertTrue(present["constraints"])
            self.assertEqual(present, schema, "the addon's schema, as Odoo records it")
            module = env["ir.module.module"].search([("name", "=", MODULE)])
            module.button_immediate_uninstall()
        with Registry(dbname).cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [MODULE])
            self.assertEqual(cr.fetchone()[0], "uninstalled")
            left = existing(cr, schema)
            self.assertEqual(
                left,
                {
                    "tables": set(),
                    "columns": set(),
                    "indexes": set(),
                    "constraints": set(),
                },
                "uninstalling left part of the addon's schema",
            )


if (
    __name__ == "__main__"
):  # python3 -m click_odoo -c <odoo.conf> tests/test_uninstall.py
    unittest.main(verbosity=2)
