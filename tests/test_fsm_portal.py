from datetime import datetime

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .test_fsm import FsmCase


class FsmPortalCase(FsmCase, HttpCase):
    """Two portal customers of different companies, each with a ticket and its field
    service task."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = new_test_user(
            cls.env,
            login="as_technician",
            name="Tess Technician",
            groups="project.group_project_user",
        )
        # Customer A: the ticket of the common fixture, in the main company.
        cls.portal_a = new_test_user(
            cls.env,
            login="portal_oak",
            password="portal_oak",
            groups="base.group_portal",
        )
        cls.portal_a.partner_id.parent_id = cls.customer
        cls.ticket.partner_id = cls.portal_a.partner_id
        cls.task_a = cls._plan_as_agent(cls.ticket, "Fix the Oak kettle")
        cls.task_a.write(
            {
                "user_ids": [Command.set(cls.technician.ids)],
                "date_deadline": datetime(2031, 5, 17, 9, 0),
            }
        )
        # Customer B: another customer, served by a team of the other company.
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Birch Bakery",
                "is_company": True,
                "company_id": cls.other_company.id,
            }
        )
        cls.portal_b = new_test_user(
            cls.env,
            login="portal_birch",
            password="portal_birch",
            groups="base.group_portal",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.portal_b.partner_id.parent_id = cls.customer_b
        fsm_project_b = cls.env["project.project"].create(
            {
                "name": "Field Service B",
                "is_fsm": True,
                "company_id": cls.other_company.id,
                "type_ids": [Command.create({"name": "Scheduled"})],
            }
        )
        team_b = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-Sales B",
                "company_id": cls.other_company.id,
                "user_ids": [Command.link(cls.project_agent.id)],
                "use_fsm": True,
                "fsm_project_id": fsm_project_b.id,
            }
        )
        cls.ticket_b = cls.env["helpdesk.ticket"].create(
            {
                "name": "Birch oven is cold",
                "description": "Cold",
                "team_id": team_b.id,
                "company_id": cls.other_company.id,
                "partner_id": cls.portal_b.partner_id.id,
            }
        )
        cls.task_b = cls._plan_as_agent(cls.ticket_b, "Fix the Birch oven")

    @classmethod
    def _plan_as_agent(cls, ticket, name):
        agent_env = cls.env(
            user=cls.project_agent,
            context=dict(cls.env.context, allowed_company_ids=[ticket.company_id.id]),
        )
        wizard = agent_env["helpdesk.create.fsm.task"].create(
            {"helpdesk_ticket_id": ticket.id, "name": name}
        )
        wizard.action_generate_task()
        return ticket.fsm_task_ids


@tagged("post_install", "-at_install")
class TestFsmPortal(FsmPortalCase):
    """Each customer visits his own pages and the other's."""

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assert_refused(self, url):
        response = self._get(url)
        self.assertEqual(response.status_code, 303, url)
        self.assertTrue(response.headers["Location"].endswith("/my"), url)

    def test_customer_sees_own_task_in_my_tasks(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._get("/my/tasks")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fix the Oak kettle", response.text)
        self.assertIn("Tess Technician", response.text, "assignees")
        self.assertIn("Planned", response.text, "stage")
        self.assertIn("Deadline", response.text)
        self.assertIn("05/17/2031", response.text, "deadline")
        self.assertNotIn("Fix the Birch oven", response.text)

    def test_task_page_links_to_ticket(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._get(f"/my/tasks/{self.task_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fix the Oak kettle", response.text)
        self.assertIn("Tess Technician", response.text)
        self.assertIn(f'href="/my/ticket/{self.ticket.id}"', response.text)
        self.assertIn('id="task_field_service"', response.text)
        self.assertIn(
            "leaks from the base", response.text, "description from the ticket"
        )

    def test_ticket_page_lists_its_tasks(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._get(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="ticket_fsm_tasks"', response.text)
        self.assertIn(f'href="/my/tasks/{self.task_a.id}"', response.text)
        self.assertIn("Tess Technician", response.text)
        self.assertIn("Planned", response.text)
        self.assertNotIn("Fix the Birch oven", response.text)

    def test_other_customer_sees_neither(self):
        self.authenticate("portal_birch", "portal_birch")
        response = self._get("/my/tasks")
        self.assertIn("Fix the Birch oven", response.text)
        self.assertIn("Scheduled", response.text)
        self.assertNotIn("Fix the Oak kettle", response.text)
        response = self._get(f"/my/ticket/{self.ticket_b.id}")
        self.assertIn(f'href="/my/tasks/{self.task_b.id}"', response.text)
        self.assertNotIn("Fix the Oak kettle", response.text)
        task_url = f"/my/tasks/{self.task_a.id}"
        ticket_url = f"/my/ticket/{self.ticket.id}"
        for url in (
            task_url,
            f"{task_url}?access_token={self.task_b._portal_ensure_token()}",
            f"{task_url}?access_token={self.ticket_b._portal_ensure_token()}",
            f"{task_url}?access_token={self.ticket._portal_ensure_token()}",
            ticket_url,
            f"{ticket_url}?access_token={self.ticket_b._portal_ensure_token()}",
            f"{ticket_url}?access_token={self.task_a._portal_ensure_token()}",
        ):
            with self.subTest(url=url):
                self._assert_refused(url)

    def test_first_customer_cannot_see_second(self):
        self.authenticate("portal_oak", "portal_oak")
        self._assert_refused(f"/my/tasks/{self.task_b.id}")
        self._assert_refused(f"/my/tasks/{self.task_b.id}?access_token=wrong")
        self._assert_refused(
            f"/my/tasks/{self.task_b.id}?access_token={self.task_a._portal_ensure_token()}"
        )
        self._assert_refused(f"/my/ticket/{self.ticket_b.id}")
        self._assert_refused(
            f"/my/ticket/{self.ticket_b.id}?access_token={self.ticket._portal_ensure_token()}"
        )

    def test_task_token_grants_no_ticket(self):
        """A visitor with the task's link sees the task, not the ticket behind it; the
        ticket's link shows no task."""
        self.authenticate(None, None)
        self._assert_refused(f"/my/tasks/{self.task_a.id}")
        response = self._get(
            f"/my/tasks/{self.task_a.id}?access_token={self.task_a._portal_ensure_token()}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Fix the Oak kettle", response.text)
        self.assertNotIn(f'href="/my/ticket/{self.ticket.id}"', response.text)
        response = self._get(
            f"/my/ticket/{self.ticket.id}?access_token={self.ticket._portal_ensure_token()}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('id="ticket_fsm_tasks"', response.text)

    def test_unfollowed_task_hidden(self):
        """The customer sees the task because he follows it, as project's portal rule
        wants."""
        self.task_a.message_unsubscribe(partner_ids=self.portal_a.partner_id.ids)
        self.authenticate("portal_oak", "portal_oak")
        self._assert_refused(f"/my/tasks/{self.task_a.id}")
        response = self._get(f"/my/ticket/{self.ticket.id}")
        self.assertNotIn('id="ticket_fsm_tasks"', response.text)
