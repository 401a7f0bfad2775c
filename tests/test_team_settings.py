from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AfterSalesCase

# Each service button of the ticket header, and the team switch that shows it.
SERVICE_BUTTONS = {
    "action_refund": "use_credit_notes",
    "action_plan_intervention": "use_fsm",
}
SERVICE_FLAGS = (
    "use_credit_notes",
    "use_coupons",
    "use_product_returns",
    "use_product_repairs",
    "use_fsm",
)


@tagged("post_install", "-at_install")
class TestTeamSettings(AfterSalesCase):
    def test_ticket_flags_follow_team_switches(self):
        for flag in SERVICE_FLAGS:
            with self.subTest(flag=flag):
                self.assertTrue(self.ticket[flag])
                self.team.write({flag: False, "fsm_project_id": self.fsm_project.id})
                self.assertFalse(self.ticket[flag], f"{flag} off on the team")
                other = self.ticket.with_user(self.agent)
                self.assertFalse(other[flag], "agents read the switch too")
                self.team.write({flag: True})
                self.assertTrue(self.ticket[flag])

    def test_ticket_form_hides_buttons_of_services_off(self):
        arch = etree.fromstring(
            self.env["helpdesk.ticket"].get_view(view_type="form")["arch"]
        )
        for flag in SERVICE_FLAGS:
            self.assertTrue(
                arch.xpath(f"//field[@name='{flag}']"), f"{flag} is in the form"
            )
        for method, flag in SERVICE_BUTTONS.items():
            with self.subTest(button=method):
                buttons = arch.xpath(f"//header/button[@name='{method}']")
                self.assertTrue(buttons, f"{method} is a header button")
                for button in buttons:
                    self.assertIn(f"not {flag}", button.get("invisible", ""))
                    # every service acts for the ticket's customer
                    self.assertIn("not partner_id", button.get("invisible", ""))

    def test_team_form_after_sales_section(self):
        team_form = Form(self.env["helpdesk.ticket.team"].with_user(self.manager))
        team_form.name = "Repairs Desk"
        team_form.use_product_repairs = True
        self.assertFalse(team_form._get_modifier("fsm_project_id", "required"))
        self.assertTrue(team_form._get_modifier("fsm_project_id", "invisible"))
        team_form.use_fsm = True
        self.assertTrue(team_form._get_modifier("fsm_project_id", "required"))
        self.assertFalse(team_form._get_modifier("fsm_project_id", "invisible"))
        team_form.fsm_project_id = self.fsm_project
        team = team_form.save()
        self.assertTrue(team.use_product_repairs)
        self.assertEqual(team.fsm_project_id, self.fsm_project)

    def test_only_managers_change_services(self):
        with self.assertRaises(AccessError):
            self.team.with_user(self.agent).write({"use_coupons": False})
        self.env.clear()  # forget the failed write, as a new request would
        self.assertTrue(self.team.use_coupons)
        # A leader allowed by a custom rule to edit the team still may not switch
        # services.
        self.env["ir.model.access"].create(
            {
                "name": "team leaders edit teams",
                "model_id": self.env["ir.model"]._get_id("helpdesk.ticket.team"),
                "group_id": self.env.ref("helpdesk_mgmt.group_helpdesk_user").id,
                "perm_read": True,
                "perm_write": True,
            }
        )
        self.team.with_user(self.agent).write({"name": "After-Sales Desk"})
        with self.assertRaises(AccessError):
            self.team.with_user(self.agent).write({"use_credit_notes": False})
        self.env.clear()  # forget the failed write, as a new request would
        self.assertTrue(self.team.use_credit_notes)
        self.team.with_user(self.manager).write({"use_coupons": False})
        self.assertFalse(self.team.use_coupons)

    def test_fsm_project_required(self):
        with self.assertRaises(ValidationError):
            self.team.with_user(self.manager).write({"fsm_project_id": False})
        with self.assertRaises(ValidationError):
            self.env["helpdesk.ticket.team"].with_user(self.manager).create(
                {"name": "Onsite", "use_fsm": True}
            )
        self.team.with_user(self.manager).write(
            {"use_fsm": False, "fsm_project_id": False}
        )
        self.assertFalse(self.ticket.use_fsm)

    def test_fsm_project_of_another_company_rejected(self):
        foreign_project = self.env["project.project"].create(
            {"name": "Foreign FSM", "is_fsm": True, "company_id": self.other_company.id}
        )
        self.team.company_id = self.company
        # Odoo's company check (check_company), which names no company.
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.team.with_user(self.manager).write(
                {"fsm_project_id": foreign_project.id}
            )
        self.env.clear()  # forget the failed write, as a new request would
        self.assertEqual(self.team.fsm_project_id, self.fsm_project)
