from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .test_fsm_portal import FsmPortalCase


@tagged("post_install", "-at_install")
class TestAfterSalesUi(HttpCase):
    def test_admin_toggles_team_service(self):
        project = self.env["project.project"].create(
            {"name": "Tour FSM", "is_fsm": True}
        )
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour After-Sales Team",
                "use_coupons": True,
                "use_fsm": True,
                "fsm_project_id": project.id,
            }
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_team_action",
            "helpdesk_after_sales_team_toggle",
            login="admin",
        )
        self.assertTrue(team.use_coupons)
        changes = (
            self.env["mail.tracking.value"]
            .search([("mail_message_id", "in", team.message_ids.ids)])
            .filtered(lambda tracking: tracking.field_id.name == "use_coupons")
        )
        self.assertEqual(
            sorted(changes.mapped("new_value_integer")), [0, 1], "switched off, then on"
        )

    def _agent_ticket(self, login, group, service):
        """An agent with the service's rights, in a team offering it, and a customer's
        ticket."""
        agent = new_test_user(
            self.env, login=login, groups=f"helpdesk_mgmt.group_helpdesk_user,{group}"
        )
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": f"Tour {service}",
                service: True,
                "user_ids": [Command.link(agent.id)],
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Kettle leaks",
                "description": "Leaks",
                "team_id": team.id,
                "partner_id": customer.id,
            }
        )
        return agent, customer, ticket

    def test_agent_refunds_from_ticket(self):
        agent, customer, ticket = self._agent_ticket(
            "tour_billing_agent", "account.group_account_invoice", "use_credit_notes"
        )
        invoices = self.env["account.move"]
        for ref, price in (("KETTLE", 49.0), ("TOASTER", 30.0)):
            invoices |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "ref": ref,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": ref, "quantity": 1, "price_unit": price}
                        )
                    ],
                }
            )
        invoices.action_post()
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_refund",
            login=agent.login,
        )
        self.assertEqual(ticket.credit_notes_count, 1)
        self.assertEqual(ticket.credit_note_ids.reversed_entry_id.ref, "KETTLE")
        self.assertEqual(ticket.credit_note_ids.state, "draft")

    def test_agent_sets_orders_and_refunds_one(self):
        """The ticket's orders and product: helpdesk_mgmt_sale's and helpdesk_product's
        fields, once each on the form, with this addon's choices; the Refund wizard
        chooses among the ticket's orders."""
        agent, customer, ticket = self._agent_ticket(
            "tour_orders_agent", "account.group_account_invoice", "use_credit_notes"
        )
        products = {
            name: self.env["product.product"].create(
                {"name": f"Tour {name}", "type": "consu", "list_price": 40.0}
            )
            for name in ("Kettle", "Toaster", "Blender")
        }
        orders = {}
        for name, product in (
            ("KETTLE", products["Kettle"]),
            ("TOASTER", products["Toaster"]),
            ("OTHER", products["Blender"]),
        ):
            orders[name] = self.env["sale.order"].create(
                {
                    "name": f"TOUR-SO-{name}",
                    "partner_id": customer.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            orders[name].action_confirm()
            invoice = orders[name]._create_invoices()
            invoice.ref = name
            invoice.action_post()
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_orders",
            login=agent.login,
        )
        self.assertEqual(ticket.sale_order_ids, orders["KETTLE"] | orders["TOASTER"])
        self.assertEqual(ticket.product_id, products["Kettle"])
        self.assertEqual(ticket.credit_note_ids.reversed_entry_id.ref, "KETTLE")

    def test_agent_refunds_one_line(self):
        """Selected lines: one of the two kettles of an invoice, posted."""
        agent, customer, ticket = self._agent_ticket(
            "tour_lines_agent", "account.group_account_invoice", "use_credit_notes"
        )
        kettle, toaster = (
            self.env["product.product"].create(
                {"name": f"Tour {name}", "type": "consu"}
            )
            for name in ("Kettle", "Toaster")
        )
        ticket.product_id = kettle
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "ref": "LINES",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": quantity,
                            "price_unit": 40.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for product, quantity in ((kettle, 2), (toaster, 1))
                ],
            }
        )
        invoice.action_post()
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_refund_lines",
            login=agent.login,
        )
        credit_note = ticket.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.product_id, kettle)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1)
        self.assertEqual(credit_note.amount_untaxed, 40.0)

    # --- Worksheets
    def test_portal_customer_signs_worksheet(self):
        portal = new_test_user(
            self.env,
            login="tour_ws_portal",
            name="Ingrid Berg",
            groups="base.group_portal",
        )
        template = self.env["worksheet.template"].create(
            {
                "name": "Tour check",
                "question_ids": [
                    Command.create(
                        {
                            "name": "Seals",
                            "question_type": "selection",
                            "selection_options": "Good\nWorn",
                            "required": True,
                        }
                    ),
                    Command.create({"name": "Pressure", "question_type": "number"}),
                ],
            }
        )
        project = self.env["project.project"].create(
            {
                "name": "Tour Field Service",
                "is_fsm": True,
                "allow_worksheets": True,
                "worksheet_template_id": template.id,
                "privacy_visibility": "portal",
            }
        )
        task = self.env["project.task"].create(
            {
                "name": "Kettle on-site check",
                "project_id": project.id,
                "partner_id": portal.partner_id.id,
            }
        )
        task.message_subscribe(portal.partner_id.ids)
        task.worksheet_answer_ids.filtered(lambda a: a.name == "Seals").value = "Worn"
        self.start_tour(
            "/my/tasks", "helpdesk_after_sales_worksheet_sign", login=portal.login
        )
        self.assertEqual(task.worksheet_signed_by, "Ingrid Berg")
        self.assertTrue(task.worksheet_signature)
        self.assertIn("Worksheet signed by Ingrid Berg", task.message_ids[0].body)

    def test_agent_returns_from_ticket(self):
        agent, customer, ticket = self._agent_ticket(
            "tour_stock_agent", "stock.group_stock_user", "use_product_returns"
        )
        stock = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.env.company.id)], limit=1)
            .lot_stock_id
        )
        deliveries = self.env["stock.picking"]
        for name in ("TOUR-KETTLE", "TOUR-TOASTER"):
            product = self.env["product.product"].create(
                {"name": name, "type": "consu", "is_storable": True}
            )
            self.env["stock.quant"]._update_available_quantity(product, stock, 5)
            order = self.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
            )
            order.action_confirm()
            delivery = order.picking_ids
            delivery.action_assign()
            delivery.move_ids.picked = True
            delivery.button_validate()
            delivery.name = name
            deliveries |= delivery
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_return",
            login=agent.login,
        )
        returned = ticket.picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.return_id, deliveries[0])
        self.assertEqual(returned.move_ids.product_uom_qty, 1)
        self.assertEqual(returned.state, "assigned")

    def test_agent_without_repair_rights_repairs_from_ticket(self):
        agent = new_test_user(
            self.env,
            login="tour_repair_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        self.assertFalse(agent.has_group("stock.group_stock_user"))
        customer = self.env["res.partner"].create({"name": "Tour Repair Customer"})
        product = self.env["product.product"].create(
            {"name": "Tour Blender", "type": "consu"}
        )
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Repair Team",
                "use_product_repairs": True,
                "user_ids": [Command.link(agent.id)],
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Blender stopped",
                "description": "<p>Motor smells burnt</p>",
                "team_id": team.id,
                "partner_id": customer.id,
                "product_id": product.id,
            }
        )
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_repair",
            login=agent.login,
        )
        repair = ticket.repair_ids
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.state, "draft")
        self.assertEqual(repair.partner_id, customer)
        self.assertEqual(repair.product_id, product)
        self.assertEqual(repair.user_id, agent)
        self.assertEqual(repair.create_uid, agent)

    def test_agent_shares_coupon_from_ticket(self):
        agent = new_test_user(
            self.env,
            login="tour_sales_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create({"name": "Tour Coupon Customer"})
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Coupon Team",
                "use_coupons": True,
                "user_ids": [Command.link(agent.id)],
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Delivery was late",
                "description": "Late",
                "team_id": team.id,
                "partner_id": customer.id,
            }
        )
        for name in ("Tour Goodwill", "Tour Apology"):
            self.env["loyalty.program"].with_context(
                default_program_type="coupons"
            ).create({"name": name})
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_coupon",
            login=agent.login,
        )
        self.assertEqual(ticket.coupons_count, 1)
        self.assertEqual(ticket.coupon_ids.program_id.name, "Tour Goodwill")
        self.assertEqual(ticket.coupon_ids.partner_id, customer)


# --- Field Service
@tagged("post_install", "-at_install")
class TestFsmTours(FsmPortalCase):
    def test_agent_plans_intervention(self):
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{self.ticket.id}",
            "helpdesk_after_sales_plan_intervention",
            login=self.project_agent.login,
        )
        task = self.ticket.fsm_task_ids - self.task_a
        self.assertEqual(task.name, "Replace the heating element")
        self.assertEqual(task.project_id, self.fsm_project)
        self.assertEqual(task.partner_id, self.ticket.partner_id)

    def test_portal_customer_follows_task(self):
        self.start_tour(
            "/my/tasks", "helpdesk_after_sales_portal_fsm_task", login="portal_oak"
        )
