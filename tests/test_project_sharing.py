from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .worksheet_common import create_worksheet_fixture

# The task form of project sharing, as project's own tests open it for a collaborator.
SHARING_FORM = "project.project_sharing_project_task_view_form"


@tagged("post_install", "-at_install")
class TestPortalCollaborator(TransactionCase):
    """Project sharing in edit mode: a portal collaborator edits and creates the tasks
    of a shared project as without the addon, in a project with worksheets as in one
    without, and writes none of the addon's task fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.collaborator = new_test_user(
            cls.env,
            login="sharing_collaborator",
            name="Sharing Collaborator",
            groups="base.group_portal",
        )
        create_worksheet_fixture(cls)
        cls.project = cls.env["project.project"].create(
            {"name": "Kitchen Renovation", "privacy_visibility": "portal"}
        )
        cls.private_project = cls.env["project.project"].create(
            {"name": "Internal", "privacy_visibility": "followers"}
        )
        for project in cls.project | cls.ws_project:
            project.type_ids = [
                Command.create({"name": "To Do", "sequence": 1}),
                Command.create({"name": "Done", "sequence": 10, "fold": True}),
            ]
            cls.env["project.share.wizard"].create(
                {
                    "res_model": "project.project",
                    "res_id": project.id,
                    "collaborator_ids": [
                        Command.create(
                            {
                                "partner_id": cls.collaborator.partner_id.id,
                                "access_mode": "edit",
                            }
                        )
                    ],
                }
            ).action_send_mail()
        cls.task = cls.env["project.task"].create(
            {"name": "Sink", "project_id": cls.project.id}
        )
        cls.ws_task = cls.env["project.task"].create(
            {"name": "Boiler", "project_id": cls.ws_project.id}
        )
        cls.private_task = cls.env["project.task"].create(
            {"name": "Margins", "project_id": cls.private_project.id}
        )

    def _edit(self, task):
        done = task.project_id.type_ids.filtered("fold")
        with Form(task.with_user(self.collaborator), view=SHARING_FORM) as form:
            form.name = "Replace the sink"
            form.stage_id = done
            form.description = "<p>The old one leaks.</p>"
        self.assertEqual(task.name, "Replace the sink")
        self.assertEqual(task.stage_id, done)
        self.assertIn("The old one leaks.", task.description)

    def _create(self, project):
        Task = (
            self.env["project.task"]
            .with_user(self.collaborator)
            .with_context(default_project_id=project.id)
        )
        form = Form(Task, view=SHARING_FORM)
        form.name = "Check the pipes"
        form.description = "<p>Under the floor.</p>"
        task = form.save()
        self.assertEqual(task.project_id, project)
        self.assertEqual(task.stage_id, project.type_ids.sorted("sequence")[0])
        return task.sudo()

    def test_collaborator_edits_task(self):
        self._edit(self.task)

    def test_collaborator_edits_worksheet_task(self):
        answers = self.ws_task.worksheet_answer_ids
        self.assertEqual(answers.question_id, self.template.question_ids)
        self._edit(self.ws_task)
        self.assertEqual(self.ws_task.worksheet_template_id, self.template)
        self.assertEqual(self.ws_task.worksheet_answer_ids, answers)

    def test_collaborator_creates_task(self):
        task = self._create(self.project)
        self.assertFalse(task.worksheet_template_id)
        self.assertFalse(task.worksheet_answer_ids)

    def test_collaborator_creates_worksheet_task(self):
        task = self._create(self.ws_project)
        self.assertEqual(task.worksheet_template_id, self.template)
        self.assertEqual(
            task.worksheet_answer_ids.question_id, self.template.question_ids
        )

    def test_collaborator_gets_projects_refusals(self):
        """What project refuses a collaborator is refused with project's own message,
        not with an error about a field of the addon."""
        Task = self.env["project.task"].with_user(self.collaborator)
        with self.assertRaisesRegex(AccessError, "top-secret records"):
            Task.with_context(default_project_id=self.project.id).create(
                {
                    "name": "Sneaky",
                    "child_ids": [
                        Command.update(self.private_task.id, {"name": "Mine"})
                    ],
                }
            )
        with self.assertRaisesRegex(AccessError, "You cannot write on .*project_id"):
            self.task.with_user(self.collaborator).write(
                {"project_id": self.ws_project.id}
            )

    def test_collaborator_writes_no_addon_field(self):
        task = self.ws_task.with_user(self.collaborator)
        answer = self.ws_task.worksheet_answer_ids[0]
        for vals in (
            {"worksheet_template_id": False},
            {"worksheet_answer_ids": [Command.update(answer.id, {"value": "Done"})]},
            {"helpdesk_ticket_id": False},
        ):
            with (
                self.subTest(field=next(iter(vals))),
                self.assertRaisesRegex(AccessError, "You cannot write on"),
            ):
                task.write(vals)
        with self.assertRaisesRegex(AccessError, "signature is given by the customer"):
            task.write({"worksheet_signed_by": "Sharing Collaborator"})
        self.assertEqual(self.ws_task.worksheet_template_id, self.template)
        self.assertFalse(answer.value)

    def test_collaborator_reads_worksheet_not_template_nor_ticket(self):
        task = self.ws_task.with_user(self.collaborator)
        self.assertEqual(task.worksheet_answer_ids, self.ws_task.worksheet_answer_ids)
        self.assertFalse(task.worksheet_signature)
        for field in ("worksheet_template_id", "helpdesk_ticket_id"):
            with (
                self.subTest(field=field),
                self.assertRaisesRegex(AccessError, "You cannot read"),
            ):
                task.read([field])
