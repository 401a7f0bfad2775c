"""Beside the rest of OCA's helpdesk family: rma, helpdesk_mgmt_project,
helpdesk_mgmt_timesheet (hr_timesheet) and the others that `dev.py test --with-oca`
installs. Tagged "-standard": only that command selects them (tag after_sales_oca), in
its database where those addons are installed; the default run never sees them."""

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import HttpCaseWithUserPortal

from .common import AfterSalesCase
from .worksheet_common import answer_worksheet, create_worksheet_fixture


@tagged("-standard", "after_sales_oca", "post_install", "-at_install")
class TestOcaReturns(AfterSalesCase):
    """OCA's rma extends stock's return wizard too: a ticket's return and an RMA from a
    delivery both still work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_agent = new_test_user(
            cls.env,
            login="as_oca_stock_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,stock.group_stock_user,"
            "rma.rma_group_user_own",
        )
        cls.team.user_ids = [Command.link(cls.stock_agent.id)]
        stock = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = stock.lot_stock_id
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.stock_location, 10
        )
        sold = cls._create_order(cls.contact, [cls.product])
        sold.order_line.product_uom_qty = 3
        cls.delivery = sold.picking_ids
        cls.delivery.action_assign()
        cls.delivery.move_ids.picked = True
        cls.delivery.button_validate()
        cls.ticket.product_id = cls.product

    def _delivery_return_form(self):
        """Stock's own return wizard, opened from the delivery."""
        return Form(
            self.env["stock.return.picking"]
            .with_user(self.stock_agent)
            .with_context(
                active_ids=self.delivery.ids,
                active_id=self.delivery.id,
                active_model="stock.picking",
            )
        )

    def test_return_from_ticket(self):
        action = self.ticket.with_user(self.stock_agent).action_return()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.stock_agent)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard_form.picking_id, self.delivery)
        self.assertTrue(
            wizard_form._get_modifier("create_rma", "invisible"),
            "rma's Create RMAs is not offered on a ticket's return",
        )
        with wizard_form.product_return_moves.edit(0) as line:
            self.assertEqual(line.quantity, 3)
            line.quantity = 2
        wizard = wizard_form.save()
        action = wizard.action_create_returns()
        returned = self.ticket.picking_ids
        self.assertEqual(action["res_id"], returned.id)
        self.assertEqual(returned.return_id, self.delivery)
        self.assertEqual(returned.move_ids.product_uom_qty, 2)
        self.assertFalse(
            self.env["rma"].search([("picking_id", "=", self.delivery.id)])
        )

    def test_ticket_return_refuses_rmas(self):
        with self.assertRaisesRegex(ValidationError, "RMAs"):
            self.env["stock.return.picking"].with_user(self.stock_agent).create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "picking_id": self.delivery.id,
                    "create_rma": True,
                }
            )

    def test_rma_from_delivery(self):
        wizard_form = self._delivery_return_form()
        self.assertFalse(wizard_form._get_modifier("create_rma", "invisible"))
        wizard_form.create_rma = True
        wizard_form.rma_operation_id = self.env.ref("rma.rma_operation_refund")
        wizard = wizard_form.save()
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        rma = self.delivery.move_ids.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertEqual(rma.state, "confirmed")
        self.assertEqual(rma.partner_id, self.contact)
        reception = self.env["stock.picking"].browse(action["res_id"])
        self.assertEqual(reception.move_ids.rma_receiver_ids, rma)
        self.assertFalse(reception.helpdesk_ticket_id)
        self.assertFalse(self.ticket.picking_ids)

    def test_plain_return_from_delivery(self):
        wizard_form = self._delivery_return_form()
        wizard = wizard_form.save()
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        self.assertEqual(returned.return_id, self.delivery)
        self.assertFalse(returned.helpdesk_ticket_id)
        self.assertFalse(self.delivery.move_ids.rma_ids)


@tagged("-standard", "after_sales_oca", "post_install", "-at_install")
class TestOcaTeamForm(AfterSalesCase):
    def test_projects_apart(self):
        """helpdesk_mgmt_project's Project (for the team's tickets) and the Field
        Service project (for interventions): two labelled settings in two places."""
        # helpdesk_mgmt_project shows its Project to project users.
        self.manager.groups_id = [
            Command.link(self.env.ref("project.group_project_user").id)
        ]
        team_form = Form(self.team.with_user(self.manager))
        arch = team_form._view["tree"]
        fields = team_form._view["fields"]
        self.assertEqual(fields["default_project_id"]["string"], "Project")
        self.assertEqual(fields["fsm_project_id"]["string"], "Field Service Project")
        self.assertIn("Not a project for the tickets", fields["fsm_project_id"]["help"])
        fsm_group = arch.xpath("//group[@name='after_sales_fsm_setting']")[0]
        self.assertTrue(fsm_group.xpath(".//field[@name='fsm_project_id']"))
        self.assertFalse(fsm_group.xpath(".//field[@name='default_project_id']"))
        self.assertEqual(team_form.fsm_project_id, self.fsm_project)


@tagged("-standard", "after_sales_oca", "post_install", "-at_install")
class TestOcaWorksheetPortal(HttpCaseWithUserPortal):
    """With hr_timesheet, the task's ?report_type=pdf is the timesheet report; the
    worksheet keeps its own address."""

    def test_worksheet_and_timesheets(self):
        self.env = self.env(context=dict(self.env.context, tracking_disable=True))
        create_worksheet_fixture(self)
        self.assertTrue(self.ws_project.allow_timesheets)
        task = self.env["project.task"].create(
            {
                "name": "Kettle check",
                "project_id": self.ws_project.id,
                "partner_id": self.partner_portal.id,
            }
        )
        task.message_subscribe(self.partner_portal.ids)
        answer_worksheet(task)
        employee = self.env["hr.employee"].create(
            {"name": "Technician", "user_id": self.env.user.id}
        )
        self.env["account.analytic.line"].create(
            {
                "name": "Seal replaced",
                "task_id": task.id,
                "project_id": self.ws_project.id,
                "employee_id": employee.id,
                "unit_amount": 1.5,
            }
        )
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self.url_open(f"/my/tasks/{task.id}")
        self.assertIn(f"/my/tasks/{task.id}/worksheet?", page.text)
        self.assertIn("o_project_timesheet_print", page.text, "hr_timesheet's button")
        worksheet = self.url_open(
            f"/my/tasks/{task.id}/worksheet?report_type=pdf&download=True"
        )
        self.assertEqual(worksheet.status_code, 200)
        self.assertIn(
            "Worksheet_Kettle_check.pdf", worksheet.headers["Content-Disposition"]
        )
        self.assertIn("Replaced the seal.", worksheet.text)
        timesheets = self.url_open(f"/my/tasks/{task.id}?report_type=html")
        self.assertEqual(timesheets.status_code, 200)
        self.assertIn("Seal replaced", timesheets.text)
        self.assertNotIn("Replaced the seal.", timesheets.text)


@tagged("-standard", "after_sales_oca", "post_install", "-at_install")
class TestOcaTicketFormUi(HttpCase):
    """The ticket form with every OCA helpdesk addon: one Product, one Sales orders, and
    the After-Sales buttons open their wizards."""

    def test_ticket_form(self):
        customer = self.env["res.partner"].create({"name": "Tour OCA Customer"})
        project = self.env["project.project"].create(
            {"name": "Tour Interventions", "is_fsm": True}
        )
        admin = self.env.ref("base.user_admin")
        admin.groups_id = [
            Command.link(self.env.ref("stock.group_stock_user").id),
            Command.link(self.env.ref("account.group_account_invoice").id),
        ]
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour OCA Team",
                "user_ids": [Command.link(admin.id)],
                "use_credit_notes": True,
                "use_coupons": True,
                "use_product_returns": True,
                "use_product_repairs": True,
                "use_fsm": True,
                "fsm_project_id": project.id,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Tour OCA ticket",
                "description": "Kettle leaks",
                "team_id": team.id,
                "partner_id": customer.id,
            }
        )
        # A delivered order, so that the ticket offers a Return.
        product = self.env["product.product"].create(
            {"name": "Tour Kettle", "is_storable": True, "list_price": 50.0}
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 1
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 1
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        delivery = order.picking_ids
        self.assertEqual(delivery.state, "done")
        ticket.sale_order_ids = order
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_oca_ticket_form",
            login="admin",
        )
        self.assertFalse(
            self.env["repair.order"].search([("partner_id", "=", customer.id)]),
            "the repair form was discarded",
        )
        returned = ticket.picking_ids
        self.assertEqual(returned.return_id, delivery)
        self.assertEqual(returned.move_ids.product_uom_qty, 1)
        self.assertFalse(self.env["rma"].search([("partner_id", "=", customer.id)]))
