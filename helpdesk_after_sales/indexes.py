"""Indexes this addon creates itself, in the ``init()`` of the model of their table.

Odoo does not know them (they belong to no field), so uninstalling the addon would leave
them: the uninstall hook drops every index of this list. A service needing one adds it
here and calls ``create_indexes()`` from its model's ``init()``."""

from collections import namedtuple

from odoo.tools.sql import create_index, drop_index

OwnIndex = namedtuple("OwnIndex", "name table expressions where")

OWN_INDEXES = [
    # The Refund wizard offers a customer's posted invoices of one company: account
    # indexes neither commercial_partner_id nor this combination, so each ticket would
    # scan them all.
    OwnIndex(
        name="account_move_helpdesk_refundable_idx",
        table="account_move",
        expressions=["commercial_partner_id", "company_id"],
        where="move_type = 'out_invoice' AND state = 'posted'",
    ),
]


def create_indexes(cr, table):
    for index in OWN_INDEXES:
        if index.table == table:
            create_index(
                cr,
                indexname=index.name,
                tablename=index.table,
                expressions=index.expressions,
                where=index.where,
            )


def uninstall_hook(env):
    for index in OWN_INDEXES:
        drop_index(env.cr, index.name, index.table)
