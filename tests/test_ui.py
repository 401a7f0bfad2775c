from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestAfterSalesUi(HttpCase):
    def test_admin_toggles_team_service(self):
        project = self.env["project.project"].create({"name": "Tour FSM"})
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
