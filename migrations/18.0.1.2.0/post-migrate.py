from odoo.tools.sql import column_exists


def migrate(cr, version):
    """Each ticket's sales order (this addon's former `sale_order_id`) becomes one of
    its orders (helpdesk_mgmt_sale's `sale_order_ids`).

    Post-migration: helpdesk_mgmt_sale, a new dependency, is installed before this
    module loads, and this module's own loading creates the relation table at the
    latest; the old column is dropped only once every module is loaded (the ORM's
    clean-up of removed fields), so it still holds the orders here. Links made
    meanwhile are kept."""
    if not column_exists(cr, "helpdesk_ticket", "sale_order_id"):
        return
    cr.execute(
        """
        INSERT INTO helpdesk_ticket_sale_order_rel (helpdesk_ticket_id, sale_order_id)
        SELECT ticket.id, ticket.sale_order_id
          FROM helpdesk_ticket ticket
          JOIN sale_order ON sale_order.id = ticket.sale_order_id
        ON CONFLICT DO NOTHING
        """
    )
    # The ORM drops the old column with its foreign key, but not the key's record in
    # ir_model_constraint: uninstalling would then try to drop a key that is gone.
    cr.execute(
        """
        DELETE FROM ir_model_constraint constraint_
         USING ir_module_module module
         WHERE constraint_.module = module.id
           AND module.name = 'helpdesk_after_sales'
           AND constraint_.type = 'f'
           AND constraint_.name = 'helpdesk_ticket_sale_order_id_fkey'
        """
    )
