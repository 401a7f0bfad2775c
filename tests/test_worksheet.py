import base64
import subprocess
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCase
from .test_fsm import FsmCase
from .worksheet_common import (
    GOOD_ANSWERS,
    answer_worksheet,
    create_worksheet_fixture,
    signature_png,
)


@tagged("post_install", "-at_install")
class TestWorksheet(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_worksheet_fixture(cls)
        cls.technician = new_test_user(
            cls.env,
            login="ws_technician",
            name="Worksheet Technician",
            groups="project.group_project_user",
        )
        cls.project_manager = new_test_user(
            cls.env,
            login="ws_project_manager",
            name="Worksheet Project Manager",
            groups="project.group_project_manager",
        )
        cls.task = cls._create_task()

    @classmethod
    def _create_task(cls, **values):
        return (
            cls.env["project.task"]
            .with_user(cls.technician)
            .create(
                {
                    "name": "Kettle check",
                    "project_id": cls.ws_project.id,
                    "partner_id": cls.contact.id,
                    **values,
                }
            )
        )

    @contextmanager
    def _refused(self, exception, message):
        """Odoo's assertRaises (rolled back to a savepoint), and the message it says."""
        with self.assertRaises(exception) as catcher:
            yield
        self.assertRegex(str(catcher.exception), message)

    def _plain_task(self):
        """A task of a project without worksheets."""
        project = self.env["project.project"].create({"name": "Back office"})
        return self.env["project.task"].create(
            {"name": "Plain", "project_id": project.id}
        )

    def _answers(self, task=None):
        return {
            answer.name: answer for answer in (task or self.task).worksheet_answer_ids
        }

    def _sign(self, task=None, name="Maya Lindqvist", signature=None):
        return (
            (task or self.task)
            .sudo()
            ._sign_worksheet(name, signature or signature_png(), self.contact)
        )

    # ------------------------------------------------------------------ projects
    def test_project_worksheets_need_field_service(self):
        project = self.env["project.project"].create({"name": "Office work"})
        with self._refused(ValidationError, "not a Field Service project"):
            project.allow_worksheets = True
        project.is_fsm = True
        with self._refused(ValidationError, "does not use worksheets"):
            project.worksheet_template_id = self.template
        self.env.clear()
        self.assertFalse(project.worksheet_template_id)
        project.is_fsm = False
        form = Form(project)
        self.assertTrue(form._get_modifier("allow_worksheets", "invisible"))
        form.is_fsm = True
        form.allow_worksheets = True
        self.assertFalse(form._get_modifier("worksheet_template_id", "invisible"))
        form.worksheet_template_id = self.template
        form.save()
        self.assertEqual(project.worksheet_template_id, self.template)
        # Field service off: worksheets and their template go with it.
        project.is_fsm = False
        self.assertFalse(project.allow_worksheets)
        self.assertFalse(project.worksheet_template_id)

    def test_template_of_another_company(self):
        foreign = self.template.copy(
            {"name": "Foreign", "company_id": self.other_company.id}
        )
        # Odoo's company check (check_company), which names no company.
        with self._refused(UserError, "belongs to another company"):
            self.ws_project.worksheet_template_id = foreign
        self.env.clear()
        self.assertEqual(self.ws_project.worksheet_template_id, self.template)
        with self._refused(UserError, "belongs to another company"):
            self.task.with_user(self.technician).worksheet_template_id = foreign
        self.env.clear()
        self.assertEqual(self.task.worksheet_template_id, self.template)
        # A template in use cannot move to another company either.
        with self._refused(ValidationError, "used by projects of another company"):
            self.template.company_id = self.other_company

    # ------------------------------------------------------------------ task worksheet
    def test_task_gets_the_project_template(self):
        self.assertEqual(self.task.worksheet_template_id, self.template)
        self.assertTrue(self.task.allow_worksheets)
        self.assertEqual(
            self.task.worksheet_answer_ids.mapped("name"),
            ["Work done", "Leak fixed", "Pressure", "Seals", "Next visit"],
        )
        self.assertEqual(
            self.task.worksheet_answer_ids.mapped("question_type"),
            ["textarea", "checkbox", "number", "selection", "date"],
        )
        self.assertFalse(any(self.task.worksheet_answer_ids.mapped("value")))
        # The lines keep the question as it was asked when the template changes
        # afterwards.
        self.template.question_ids[0].name = "Work performed"
        self.assertEqual(self.task.worksheet_answer_ids[0].name, "Work done")
        # A task of a project without worksheets has none, and may not get one.
        other = self._plain_task()
        self.assertFalse(other.worksheet_template_id)
        self.assertFalse(other.worksheet_answer_ids)
        with self._refused(ValidationError, "does not use worksheets"):
            other.worksheet_template_id = self.template

    def test_change_template_keeps_shared_answers(self):
        answer_worksheet(self.task)
        seals = self.template.question_ids.filtered(lambda q: q.name == "Seals")
        short = self.env["worksheet.template"].create(
            {
                "name": "Short check",
                "question_ids": [
                    Command.create(
                        {"name": "Customer present", "question_type": "checkbox"}
                    )
                ],
            }
        )
        seals.copy(
            {"template_id": short.id}
        )  # another question, same label: a new line
        self.task.with_user(self.technician).worksheet_template_id = short
        self.assertEqual(
            sorted(self.task.worksheet_answer_ids.mapped("name")),
            ["Customer present", "Seals"],
        )
        self.assertFalse(any(self.task.worksheet_answer_ids.mapped("value")))
        self.task.worksheet_template_id = self.template
        self.assertEqual(len(self.task.worksheet_answer_ids), 5)

    def test_answers_typed_on_the_server(self):
        answers = self._answers(self.task.with_user(self.technician))
        bad = [
            ("Pressure", "two bars", "must be a number"),
            ("Pressure", "2,5", "must be a number"),
            ("Next visit", "31/05/2027", "YYYY-MM-DD"),
            ("Next visit", "2027-02-30", "YYYY-MM-DD"),
            ("Seals", "Rusty", "one of: Good, Worn, Broken"),
            ("Leak fixed", "yes", "1 \\(checked\\) or 0"),
        ]
        for name, value, message in bad:
            with self.subTest(value=value):
                with self._refused(ValidationError, message):
                    answers[name].value = value
                self.env.clear()
                self.assertFalse(answers[name].value, "nothing changed")
        # Nor through create, with another task's question copied by hand.
        with self._refused(ValidationError, "must be a number"):
            self.env["worksheet.answer"].with_user(self.technician).create(
                {
                    "task_id": self.task.id,
                    "question_id": answers["Pressure"].question_id.id,
                    "value": "many",
                }
            )
        answer_worksheet(self.task.with_user(self.technician))
        self.assertEqual(
            {name: answer.value for name, answer in self._answers().items()},
            GOOD_ANSWERS,
        )
        self.assertEqual(answers["Leak fixed"].display_value, "Yes")
        self.assertEqual(answers["Next visit"].display_value, "05/31/2027")

    def test_answers_in_the_task_form(self):
        form = Form(self.task.with_user(self.technician))
        self.assertFalse(form._get_modifier("worksheet_answer_ids", "invisible"))
        with form.worksheet_answer_ids.edit(0) as line:
            line.value = "Cleaned the filter"
        with form.worksheet_answer_ids.edit(1) as line:
            self.assertTrue(line._get_modifier("value", "invisible"))
            line.value_checkbox = True
        with form.worksheet_answer_ids.edit(4) as line:
            line.value_date = "2027-01-15"
        with form.worksheet_answer_ids.edit(3) as line:
            line.value = "Good"
        form.save()
        answers = self._answers()
        self.assertEqual(answers["Leak fixed"].value, "1")
        self.assertEqual(answers["Next visit"].value, "2027-01-15")
        self.assertEqual(answers["Seals"].value, "Good")

    def test_done_needs_required_answers(self):
        task = self.task.with_user(self.technician)
        answer_worksheet(task, {**GOOD_ANSWERS, "Seals": "", "Leak fixed": "0"})
        with self._refused(ValidationError, "required questions.*Leak fixed, Seals"):
            task.state = "1_done"
        self.env.clear()
        self.assertEqual(task.state, "01_in_progress")
        # An unchecked required checkbox is not an answer: it must be ticked.
        answer_worksheet(task, {"Seals": "Good"})
        with self._refused(ValidationError, "Leak fixed"):
            task.state = "1_done"
        task.state = "1_canceled"  # cancelling needs no answers
        task.state = "01_in_progress"
        answer_worksheet(task)
        task.state = "1_done"
        self.assertEqual(task.state, "1_done")
        # A done task keeps its required answers.
        with self._refused(ValidationError, "Seals"):
            self._answers(task)["Seals"].value = ""
        # A task without worksheet is set done as before.
        plain = self._plain_task()
        plain.state = "1_done"

    # ------------------------------------------------------------------ signature
    def test_sign_and_clear(self):
        answer_worksheet(self.task)
        self._sign()
        self.assertEqual(self.task.worksheet_signed_by, "Maya Lindqvist")
        self.assertTrue(self.task.worksheet_signed_on)
        self.assertTrue(self.task.worksheet_signature)
        message = self.task.message_ids[0]
        self.assertIn("Worksheet signed by Maya Lindqvist", message.body)
        self.assertEqual(message.attachment_ids.name, "Worksheet - Kettle check.pdf")

        # Signed: the worksheet is read-only for everyone, the signature the customer's.
        task = self.task.with_user(self.technician)
        answer = task.worksheet_answer_ids[2]
        for change in (
            lambda: answer.write({"value": "3"}),
            lambda: answer.unlink(),
            lambda: task.write({"worksheet_template_id": False}),
            lambda: (
                self.env["worksheet.answer"]
                .with_user(self.technician)
                .create({"task_id": task.id, "name": "Extra", "question_type": "text"})
            ),
            lambda: (
                self.task.with_user(self.project_manager)
                .worksheet_answer_ids[0]
                .write({"value": "x"})
            ),
        ):
            with self._refused(UserError, "signed by Maya Lindqvist"):
                change()
        self.env.clear()
        self.assertEqual(answer.value, "2.5")
        with self.assertRaises(AccessError):
            task.write({"worksheet_signed_by": "Someone else"})
        with self.assertRaises(AccessError):
            task.write(
                dict.fromkeys(("worksheet_signature", "worksheet_signed_by"), False)
            )
        with self.assertRaises(AccessError):
            task.action_clear_worksheet_signature()
        self.assertTrue(self.task.worksheet_signature)
        arch = (
            self.env["project.task"]
            .with_user(self.technician)
            .get_view(view_type="form")
        )
        self.assertNotIn("action_clear_worksheet_signature", arch["arch"])

        # A project manager clears it: logged, editable again.
        self.task.with_user(self.project_manager).action_clear_worksheet_signature()
        self.assertFalse(self.task.worksheet_signature)
        self.assertFalse(self.task.worksheet_signed_by)
        self.assertFalse(self.task.worksheet_signed_on)
        self.assertIn(
            "Worksheet signature of Maya Lindqvist",
            self.task.message_ids[0].body,
            "logged",
        )
        self.assertEqual(
            self.task.message_ids[0].author_id, self.project_manager.partner_id
        )
        answer.value = "3"
        self._sign(name="Oak Contact")
        self.assertEqual(self.task.worksheet_signed_by, "Oak Contact")

    def test_sign_refusals(self):
        plain = self._plain_task()
        cases = [
            (plain, {}, "no worksheet to sign"),
            (self.task, {}, "required questions.*Work done, Leak fixed, Seals"),
        ]
        for task, kwargs, message in cases:
            with self._refused(UserError, message):
                self._sign(task, **kwargs)
        answer_worksheet(self.task)
        with self._refused(UserError, "Enter your name"):
            self._sign(name="  ")
        with self._refused(UserError, "Draw or type your signature"):
            self.task.sudo()._sign_worksheet("Maya", "", self.contact)
        with self._refused(UserError, "not a PNG image"):
            self._sign(signature=base64.b64encode(b"GIF89a....").decode())
        with self._refused(UserError, "not a PNG image"):
            self._sign(signature="not base64!")
        self.env.clear()
        self.assertFalse(self.task.worksheet_signature)
        self.task.state = "1_canceled"
        self.assertFalse(self.task._is_worksheet_signable())
        with self._refused(UserError, "is cancelled"):
            self._sign()
        self.task.state = "01_in_progress"
        self.assertTrue(self.task._is_worksheet_signable())
        self._sign()
        with self._refused(UserError, "already signed by Maya Lindqvist"):
            self._sign(name="Someone else")
        self.assertEqual(self.task.worksheet_signed_by, "Maya Lindqvist")

    def test_copy_gives_a_blank_worksheet(self):
        answer_worksheet(self.task)
        self._sign()
        copy = self.task.copy()
        self.assertEqual(copy.worksheet_template_id, self.template)
        self.assertEqual(len(copy.worksheet_answer_ids), 5)
        self.assertFalse(any(copy.worksheet_answer_ids.mapped("value")))
        self.assertFalse(copy.worksheet_signature)
        self.assertFalse(copy.worksheet_signed_by)

    # ------------------------------------------------------------------ access
    def test_templates_written_by_managers_only(self):
        Template = self.env["worksheet.template"]
        self.assertEqual(
            Template.with_user(self.technician).search([]), Template.search([])
        )
        with self.assertRaises(AccessError):
            Template.with_user(self.technician).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.template.question_ids[0].with_user(self.technician).name = "Changed"
        with self.assertRaises(AccessError):
            Template.with_user(self.agent).search([])
        for manager in (self.project_manager, self.manager):
            template = Template.with_user(manager).create(
                {
                    "name": f"By {manager.name}",
                    "question_ids": [Command.create({"name": "Q"})],
                }
            )
            self.assertEqual(template.question_ids.question_type, "text")
        with self._refused(ValidationError, "give its options"):
            Template.with_user(self.project_manager).create(
                {
                    "name": "Bad",
                    "question_ids": [
                        Command.create({"name": "Q", "question_type": "selection"})
                    ],
                }
            )

    def test_portal_reads_own_worksheet_only(self):
        portal = new_test_user(
            self.env,
            login="ws_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        other_portal = new_test_user(
            self.env,
            login="ws_portal_other",
            groups="base.group_portal",
            partner_id=self.other_customer.id,
        )
        self.task.message_subscribe(self.contact.ids)
        other_task = self._create_task(
            name="Elm check", partner_id=self.other_customer.id
        )
        other_task.message_subscribe(self.other_customer.ids)
        answer_worksheet(self.task)
        task = self.task.with_user(portal)
        self.assertEqual(
            task.worksheet_answer_ids.mapped("value"), list(GOOD_ANSWERS.values())
        )
        Answer = self.env["worksheet.answer"].with_user(portal)
        self.assertEqual(Answer.search([]), self.task.worksheet_answer_ids)
        with self.assertRaises(AccessError):
            other_task.worksheet_answer_ids.with_user(portal).read(["value"])
        with self.assertRaises(AccessError):
            task.worksheet_answer_ids[0].value = "Changed by the customer"
        with self.assertRaises(AccessError):
            task.write({"worksheet_signed_by": "Maya"})
        with self.assertRaises(AccessError):
            self.env["worksheet.template"].with_user(portal).search([])
        self.assertEqual(
            self.env["worksheet.answer"].with_user(other_portal).search([]),
            other_task.worksheet_answer_ids,
        )

    def test_private_project_answers_hidden(self):
        employee = new_test_user(
            self.env, login="ws_employee", groups="base.group_user"
        )
        with self.assertRaises(
            AccessError, msg="project users fill worksheets, not employees"
        ):
            self.env["worksheet.answer"].with_user(employee).search([])
        colleague = new_test_user(
            self.env, login="ws_colleague", groups="project.group_project_user"
        )
        self.ws_project.privacy_visibility = "followers"
        self.assertFalse(
            self.env["worksheet.answer"]
            .with_user(colleague)
            .search([("task_id", "=", self.task.id)]),
            "neither follower of the private project nor assigned to its task",
        )
        self.ws_project.privacy_visibility = "employees"
        self.assertEqual(
            self.env["worksheet.answer"]
            .with_user(self.technician)
            .search([("task_id", "=", self.task.id)]),
            self.task.worksheet_answer_ids,
        )

    # ------------------------------------------------------------------ report
    def test_report_html(self):
        answer_worksheet(self.task)
        action = self.task.with_user(self.technician).action_print_worksheet()
        self.assertEqual(action["report_name"], "helpdesk_after_sales.report_worksheet")
        html = self._render_html()
        for text in (
            "Work done",
            "Replaced the seal.",
            "Worn",
            "2.5",
            "Oak Customer",
            "Kettle check",
            "Not signed yet.",
        ):
            self.assertIn(text, html)
        self._sign()
        html = self._render_html()
        self.assertIn("Maya Lindqvist", html)
        self.assertIn("data:image/png;base64,", html)
        self.assertNotIn("Not signed yet.", html)

    def _render_html(self):
        return str(
            self.env["ir.actions.report"]
            .with_user(self.technician)
            ._render_qweb_html(
                "helpdesk_after_sales.action_report_worksheet", self.task.ids
            )[0]
        )

    def test_report_pdf(self):
        answer_worksheet(self.task)
        self._sign()
        # The report's own text needs no CSS: point wkhtmltopdf at a closed port rather
        # than at this process's test server, which cannot answer while this test waits
        # for the PDF.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "helpdesk_after_sales.action_report_worksheet", self.task.ids
            )
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for expected in (
            "Replaced the seal.",
            "Worn",
            "2.5",
            "Leak fixed",
            "Yes",
            "Maya Lindqvist",
            "Kettle check",
        ):
            self.assertIn(expected, text)


@tagged("post_install", "-at_install")
class TestWorksheetPlanIntervention(FsmCase):
    """The Plan Intervention wizard offers the project's worksheet template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_worksheet_fixture(cls)
        cls.fsm_project.write(
            {"allow_worksheets": True, "worksheet_template_id": cls.template.id}
        )

    def _tasks(self):
        return self.env["project.task"].search(
            [("helpdesk_ticket_id", "=", self.ticket.id)]
        )

    def test_wizard_defaults_to_the_project_template(self):
        plan = self._plan_form()
        self.assertEqual(plan.project_id, self.fsm_project)
        self.assertFalse(plan._get_modifier("worksheet_template_id", "invisible"))
        self.assertEqual(plan.worksheet_template_id, self.template)
        plan.project_id = self.other_fsm_project  # no worksheets there
        self.assertTrue(plan._get_modifier("worksheet_template_id", "invisible"))
        self.assertFalse(plan.worksheet_template_id)
        plan.project_id = self.fsm_project
        self.assertEqual(plan.worksheet_template_id, self.template)
        short = self.template.copy({"name": "Short"})
        plan.worksheet_template_id = short
        action = plan.save().action_generate_and_view_task()
        task = self.env["project.task"].browse(action["res_id"])
        self.assertEqual(task.worksheet_template_id, short)
        self.assertEqual(len(task.worksheet_answer_ids), 5)
        self.assertEqual(task.helpdesk_ticket_id, self.ticket)

    def test_wizard_without_template(self):
        task = self._plan(worksheet_template_id=False)
        self.assertFalse(task.worksheet_template_id, "the agent chose no worksheet")
        self.assertFalse(task.worksheet_answer_ids)
        task = self._plan(project_id=self.other_fsm_project.id)
        self.assertFalse(task.worksheet_template_id)

    def test_wizard_refuses_bad_templates(self):
        foreign = self.template.copy(
            {"name": "Foreign", "company_id": self.other_company.id}
        )
        cases = [
            (
                {
                    "project_id": self.other_fsm_project.id,
                    "worksheet_template_id": self.template.id,
                },
                "does not use worksheets",
            ),
            ({"worksheet_template_id": foreign.id}, "belongs to another company"),
        ]
        for values, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(UserError) as catcher:
                    self._plan(**values)
                self.assertIn(message, str(catcher.exception))
        self.assertFalse(self._tasks(), "nothing created")
