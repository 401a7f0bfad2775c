import psycopg2
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AfterSalesCase


class FsmCase(AfterSalesCase):
    """A Project user among the agents, and a second field-service project."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project_agent = new_test_user(
            cls.env,
            login="as_project_agent",
            name="Field Service Agent",
            groups="helpdesk_mgmt.group_helpdesk_user,project.group_project_user",
            company_ids=[Command.set((cls.company | cls.other_company).ids)],
        )
        cls.team.user_ids = [Command.link(cls.project_agent.id)]
        cls.ticket.description = "<p>The kettle leaks from the base.</p>"
        cls.other_fsm_project = cls.env["project.project"].create(
            {"name": "Onsite North", "is_fsm": True, "company_id": cls.company.id}
        )
        cls.stage_planned = cls.env["project.task.type"].create(
            {
                "name": "Planned",
                "sequence": 1,
                "project_ids": [
                    Command.set((cls.fsm_project | cls.other_fsm_project).ids)
                ],
            }
        )

    def _plan_form(self, ticket=None, user=None):
        user = user or self.project_agent
        action = (ticket or self.ticket).with_user(user).action_plan_intervention()
        self.assertEqual(action["res_model"], "helpdesk.create.fsm.task")
        self.assertEqual(action["target"], "new")
        return Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )

    def _plan(self, ticket=None, **values):
        """Plan through the wizard as the agent would, then return the new task."""
        ticket = ticket or self.ticket
        wizard = (
            self.env["helpdesk.create.fsm.task"]
            .with_user(self.project_agent)
            .create({"helpdesk_ticket_id": ticket.id, **values})
        )
        wizard.action_generate_task()
        return ticket.fsm_task_ids.sorted("id")[-1:]


@tagged("post_install", "-at_install")
class TestFsm(FsmCase):
    # ------------------------------------------------------------------ projects and
    # teams
    def test_project_switched_to_fsm_goes_portal(self):
        project = self.env["project.project"].create(
            {"name": "Internal", "privacy_visibility": "employees"}
        )
        project.is_fsm = True
        self.assertEqual(project.privacy_visibility, "portal")
        private = self.env["project.project"].create(
            {"name": "Private", "privacy_visibility": "followers"}
        )
        private.write({"is_fsm": True, "privacy_visibility": "followers"})
        self.assertEqual(private.privacy_visibility, "followers", "set otherwise: kept")
        # Switched back and forth, a visibility chosen meanwhile is not overridden
        # twice.
        created = self.env["project.project"].create(
            {"name": "Created FSM", "is_fsm": True, "privacy_visibility": "employees"}
        )
        self.assertEqual(created.privacy_visibility, "employees")
        with Form(self.env["project.project"]) as project_form:
            project_form.name = "From the form"
            project_form.privacy_visibility = "followers"
            project_form.is_fsm = True
            self.assertEqual(project_form.privacy_visibility, "portal")

    def test_team_offers_only_fsm_projects_of_its_company(self):
        team_form = Form(self.team.with_user(self.manager))
        domain = team_form._view["fields"]["fsm_project_id"]["domain"]
        self.assertIn("is_fsm", domain)
        plain = self.env["project.project"].create({"name": "Office Move"})
        foreign = self.env["project.project"].create(
            {"name": "Foreign FSM", "is_fsm": True, "company_id": self.other_company.id}
        )
        self.team.company_id = self.company
        offered = self.env["project.project"].search(
            [("is_fsm", "=", True), ("company_id", "in", [self.company.id, False])]
        )
        self.assertIn(self.fsm_project, offered)
        self.assertNotIn(plain, offered)
        self.assertNotIn(foreign, offered)
        with self.assertRaisesRegex(
            ValidationError, "Office Move is not a Field Service"
        ):
            self.team.with_user(self.manager).write({"fsm_project_id": plain.id})
        self.env.clear()
        # Odoo's company check (check_company), which names no company.
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.team.with_user(self.manager).write({"fsm_project_id": foreign.id})
        self.env.clear()
        archived = self.env["project.project"].create(
            {"name": "Old FSM", "is_fsm": True}
        )
        archived.action_archive()
        with self.assertRaisesRegex(ValidationError, "Old FSM is archived"):
            self.team.with_user(self.manager).write({"fsm_project_id": archived.id})
        self.env.clear()
        self.assertEqual(self.team.fsm_project_id, self.fsm_project)
        self.team.with_user(self.manager).write(
            {"fsm_project_id": self.other_fsm_project.id}
        )
        self.assertEqual(self.team.fsm_project_id, self.other_fsm_project)

    def test_project_of_a_team_stays_fsm(self):
        with self.assertRaisesRegex(
            ValidationError, "Field Service project of a helpdesk team"
        ):
            self.fsm_project.is_fsm = False
        self.env.clear()
        with self.assertRaisesRegex(ValidationError, "of a helpdesk team"):
            self.fsm_project.action_archive()
        self.env.clear()
        with self.assertRaisesRegex(ValidationError, "of a helpdesk team"):
            self.fsm_project.company_id = self.other_company
        self.env.clear()
        self.assertTrue(self.fsm_project.is_fsm)
        self.other_fsm_project.is_fsm = False  # used by no team

    # ------------------------------------------------------------------ happy paths
    def test_plan_intervention_prefilled_from_ticket(self):
        plan = self._plan_form()
        self.assertEqual(plan.name, "Kettle leaks")
        self.assertEqual(plan.project_id, self.fsm_project)
        self.assertEqual(plan.partner_id, self.contact)
        wizard = plan.save()
        self.assertTrue(
            wizard.action_generate_task(), "Create Task closes, back to the ticket"
        )
        task = self.ticket.fsm_task_ids
        self.assertEqual(len(task), 1)
        self.assertEqual(task.name, "Kettle leaks")
        self.assertEqual(task.project_id, self.fsm_project)
        self.assertEqual(task.partner_id, self.contact)
        self.assertEqual(task.helpdesk_ticket_id, self.ticket)
        self.assertIn("leaks from the base", task.description)
        self.assertFalse(task.user_ids, "the technician is assigned when dispatched")
        self.assertEqual(task.stage_id, self.stage_planned)
        self.assertIn(self.contact, task.message_partner_ids, "the customer follows it")
        self.assertEqual(task.project_privacy_visibility, "portal")
        self.assertEqual(self.ticket.with_user(self.project_agent).fsm_task_count, 1)
        self.assertTrue(
            self.ticket.message_ids.filtered(
                lambda m: f'data-oe-id="{task.id}"' in m.body
            ),
            "the ticket's chatter links to the task",
        )
        self.assertTrue(
            task.message_ids.filtered(
                lambda m: f'data-oe-id="{self.ticket.id}"' in m.body
            ),
            "the task's chatter links back to the ticket",
        )
        view = self.ticket.with_user(self.project_agent).action_view_fsm_tasks()
        self.assertEqual((view["res_model"], view["res_id"]), ("project.task", task.id))

    def test_create_and_view_task(self):
        plan = self._plan_form()
        plan.name = "  Replace the heating element  "
        plan.project_id = self.other_fsm_project
        plan.partner_id = self.customer  # the company itself: same customer
        action = plan.save().action_generate_and_view_task()
        task = self.ticket.fsm_task_ids
        self.assertEqual(action["res_model"], "project.task")
        self.assertEqual(action["res_id"], task.id)
        self.assertEqual(action["views"], [(False, "form")])
        self.assertEqual(task.name, "Replace the heating element")
        self.assertEqual(task.project_id, self.other_fsm_project)
        self.assertEqual(task.partner_id, self.customer)

    def test_several_tasks_listed(self):
        first = self._plan(name="Diagnose")
        second = self._plan(name="Repair")
        self.assertEqual(self.ticket.fsm_task_count, 2)
        view = self.ticket.with_user(self.project_agent).action_view_fsm_tasks()
        self.assertEqual(view["domain"], [("id", "in", (first | second).ids)])

    def test_counts_batched(self):
        tickets = self.ticket | self.ticket.copy() | self.ticket.copy()
        self._plan(tickets[1])
        self._plan(tickets[2])
        self._plan(tickets[2])
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(tickets.mapped("fsm_task_count"), [0, 1, 2])

    # ------------------------------------------------------------------ bad input
    def _assert_plan_refused(
        self, exception, message, ticket=None, user=None, **values
    ):
        tasks_before = self.env["project.task"].search_count([])
        messages_before = self.env["mail.message"].search_count([])
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            wizard = (
                self.env["helpdesk.create.fsm.task"]
                .with_user(user or self.project_agent)
                .create({"helpdesk_ticket_id": (ticket or self.ticket).id, **values})
            )
            wizard.action_generate_and_view_task()
        self.env.clear()
        self.assertEqual(
            self.env["project.task"].search_count([]), tasks_before, "no task"
        )
        self.assertEqual(self.env["mail.message"].search_count([]), messages_before)

    def test_refuses_project_not_fsm(self):
        plain = self.env["project.project"].create({"name": "Office Move"})
        self._assert_plan_refused(
            ValidationError, "Office Move is not a Field Service", project_id=plain.id
        )

    def test_refuses_project_of_another_company(self):
        foreign = self.env["project.project"].create(
            {"name": "Foreign FSM", "is_fsm": True, "company_id": self.other_company.id}
        )
        self._assert_plan_refused(
            UserError, "belongs to another company", project_id=foreign.id
        )

    def test_refuses_archived_project(self):
        self.other_fsm_project.action_archive()
        self._assert_plan_refused(
            ValidationError,
            "Onsite North is archived",
            project_id=self.other_fsm_project.id,
        )

    def test_refuses_project_archived_meanwhile(self):
        wizard = (
            self.env["helpdesk.create.fsm.task"]
            .with_user(self.project_agent)
            .create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "project_id": self.other_fsm_project.id,
                }
            )
        )
        self.other_fsm_project.action_archive()
        with self.assertRaisesRegex(ValidationError, "archived"):
            wizard.action_generate_task()
        self.assertFalse(self.ticket.fsm_task_ids)

    def test_refuses_ticket_without_customer(self):
        self.ticket.partner_id = False
        self._assert_plan_refused(UserError, "has no customer")
        with self.assertRaisesRegex(UserError, "has no customer"):
            self.ticket.with_user(self.project_agent).action_plan_intervention()

    def test_refuses_team_without_field_service(self):
        self.team.write({"use_fsm": False})
        self._assert_plan_refused(UserError, "does not offer Field Service")
        with self.assertRaisesRegex(UserError, "does not offer Field Service"):
            self.ticket.with_user(self.project_agent).action_plan_intervention()

    def test_refuses_empty_title(self):
        self._assert_plan_refused(ValidationError, "title", name="")
        self._assert_plan_refused(ValidationError, "title", name="   ")
        plan = self._plan_form()
        plan.name = False
        with self.assertRaises(AssertionError, msg="the form requires a title"):
            plan.save()

    def test_refuses_another_customers_contact(self):
        self._assert_plan_refused(
            ValidationError,
            "must be a contact of Oak Customer",
            partner_id=self.other_customer.id,
        )

    def test_refusal_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["helpdesk_after_sales"], ["es_ES"]
        )
        self.project_agent.lang = "es_ES"
        agent_env = self.env(user=self.project_agent, context={"lang": "es_ES"})
        plain = self.env["project.project"].create({"name": "Office Move"})
        with self.assertRaisesRegex(
            ValidationError, "no es un proyecto de Servicio externo"
        ):
            agent_env["helpdesk.create.fsm.task"].create(
                {"helpdesk_ticket_id": self.ticket.id, "project_id": plain.id}
            ).action_generate_task()
        self.env.clear()
        agent_env = self.env(user=self.agent, context={"lang": "es_ES"})
        with self.assertRaisesRegex(
            AccessError, "No puede crear.*helpdesk.create.fsm.task"
        ):
            self.ticket.with_env(agent_env).action_plan_intervention()

    def test_refuses_without_ticket(self):
        wizards = self.env["helpdesk.create.fsm.task"].search_count([])
        # The ticket is a required field: the database refuses the wizard.
        with (
            self.assertRaises(psycopg2.errors.NotNullViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["helpdesk.create.fsm.task"].with_user(self.project_agent).create(
                {"name": "Orphan", "project_id": self.fsm_project.id}
            )
        self.assertEqual(self.env["helpdesk.create.fsm.task"].search_count([]), wizards)

    # ------------------------------------------------------------------ access
    def test_agent_without_project_rights(self):
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_view(view_type="form")["arch"]
        )
        self.assertFalse(arch.xpath("//button[@name='action_plan_intervention']"))
        self.assertFalse(arch.xpath("//button[@name='action_view_fsm_tasks']"))
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.project_agent)
            .get_view(view_type="form")["arch"]
        )
        self.assertTrue(arch.xpath("//header/button[@name='action_plan_intervention']"))
        self.assertTrue(arch.xpath("//button[@name='action_view_fsm_tasks']"))
        refusal = "not allowed to create .*helpdesk.create.fsm.task"
        with self.assertRaisesRegex(AccessError, refusal):
            self.ticket.with_user(self.agent).action_plan_intervention()
        self._assert_plan_refused(AccessError, refusal, user=self.agent)

    def test_project_user_without_helpdesk_rights(self):
        project_user = new_test_user(
            self.env, login="as_project_only", groups="project.group_project_user"
        )
        self._assert_plan_refused(AccessError, "", user=project_user)

    def test_agent_of_another_team_cannot_plan(self):
        """An agent limited to his own tickets cannot plan on one he may not read."""
        own_agent = new_test_user(
            self.env,
            login="as_own_agent",
            groups="helpdesk_mgmt.group_helpdesk_user_own,project.group_project_user",
        )
        self._assert_plan_refused(AccessError, "", user=own_agent)

    # ------------------------------------------------------------------ demo
    def test_demo_intervention(self):
        ticket = self.env.ref("helpdesk_after_sales.demo_ticket_espresso", False)
        if not ticket:
            self.skipTest("installed without demo data")
        task = ticket.fsm_task_ids
        self.assertEqual(len(task), 1)
        self.assertTrue(task.project_id.is_fsm)
        self.assertEqual(task.project_id, ticket.team_id.fsm_project_id)
        self.assertEqual(
            task.stage_id, self.env.ref("helpdesk_after_sales.demo_fsm_stage_planned")
        )
        self.assertTrue(task.user_ids and task.date_deadline)
        maya = self.env.ref("helpdesk_after_sales.demo_portal_user_maya")
        self.assertIn(maya.partner_id, task.message_partner_ids)
        self.assertTrue(
            task.with_user(maya).has_access("read"), "Maya sees it on the portal"
        )
