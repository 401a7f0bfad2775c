from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user
from odoo.tools.safe_eval import safe_eval


class AfterSalesCase(TransactionCase):
    """A customer who bought two products, an After-Sales team and the people who use
    it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Company AS"})
        cls.manager = new_test_user(
            cls.env,
            login="as_manager",
            name="After-Sales Manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.agent = new_test_user(
            cls.env,
            login="as_agent",
            name="After-Sales Agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Oak Customer", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Oak Contact", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Elm Customer"})
        cls.product = cls.env["product.product"].create(
            {"name": "Kettle", "type": "consu", "is_storable": True, "list_price": 50.0}
        )
        cls.serial_product = cls.env["product.product"].create(
            {
                "name": "Espresso Machine",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 400.0,
            }
        )
        cls.other_product = cls.env["product.product"].create(
            {"name": "Toaster", "type": "consu", "list_price": 30.0}
        )
        cls.lot = cls.env["stock.lot"].create(
            {"name": "SN-001", "product_id": cls.serial_product.id}
        )
        cls.order = cls._create_order(cls.contact, [cls.product, cls.serial_product])
        cls.fsm_project = cls.env["project.project"].create(
            {"name": "Field Service", "is_fsm": True}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-Sales",
                "user_ids": [Command.link(cls.agent.id), Command.link(cls.manager.id)],
                "use_credit_notes": True,
                "use_coupons": True,
                "use_product_returns": True,
                "use_product_repairs": True,
                "use_fsm": True,
                "fsm_project_id": cls.fsm_project.id,
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Kettle leaks",
                "description": "It leaks",
                "team_id": cls.team.id,
                "partner_id": cls.contact.id,
            }
        )

    def _choices(self, form, field_name):
        """What a form's many2one offers its user: the view's domain, else the field's,
        evaluated on the form's values as the web client does, searched as that user."""
        node = next(
            node
            for node in form._view["tree"].iter("field")
            if node.get("name") == field_name
        )
        field_info = form._view["fields"][field_name]
        domain = node.get("domain") or field_info.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, form._get_eval_context())
        return form._env[field_info["relation"]].search(domain)

    @classmethod
    def _create_order(cls, partner, products, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                    for product in products
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _create_invoice(cls, partner, product, order_line=None, post=True, **values):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": product.list_price,
                            "sale_line_ids": [
                                Command.set(order_line.ids if order_line else [])
                            ],
                        }
                    )
                ],
                **values,
            }
        )
        if post:
            invoice.action_post()
        return invoice
