from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .test_fsm_portal import FsmPortalCase


@tagged("post_install", "-at_install")
class TestAfterSalesUi(HttpCase):
    def test_admin_toggles_team_service(self):
        project = self.env["project.project"].create({"name": "Tour FSM", "is_fsm": True})
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

    def test_agent_refunds_from_ticket(self):
        agent = new_test_user(
            self.env,
            login="tour_billing_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
        )
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Refund Team",
                "use_credit_notes": True,
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
        invoices = self.env["account.move"]
        for ref, price in (("KETTLE", 49.0), ("TOASTER", 30.0)):
            invoices |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "ref": ref,
                    "invoice_line_ids": [
                        Command.create({"name": ref, "quantity": 1, "price_unit": price})
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

    def test_agent_without_repair_rights_repairs_from_ticket(self):
        agent = new_test_user(
            self.env, login="tour_repair_agent", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        self.assertFalse(agent.has_group("stock.group_stock_user"))
        customer = self.env["res.partner"].create({"name": "Tour Repair Customer"})
        product = self.env["product.product"].create({"name": "Tour Blender", "type": "consu"})
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
        self.start_tour("/my/tasks", "helpdesk_after_sales_portal_fsm_task", login="portal_oak")
