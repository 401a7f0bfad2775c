from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import HttpCaseWithUserPortal

from .worksheet_common import answer_worksheet, create_worksheet_fixture, signature_png


@tagged("post_install", "-at_install")
class TestWorksheetPortal(HttpCaseWithUserPortal):
    """The portal task page and the sign route, as the portal users of two customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        create_worksheet_fixture(cls)
        # Another customer company, with its own portal user.
        cls.other_partner = cls.env["res.partner"].create(
            {"name": "Elm Customer", "email": "elm@example.com", "is_company": True}
        )
        cls.other_portal = new_test_user(
            cls.env,
            login="ws_portal_elm",
            groups="base.group_portal",
            partner_id=cls.other_partner.id,
        )
        cls.task = cls._create_task("Kettle check", cls.partner_portal)
        cls.other_task = cls._create_task("Elm check", cls.other_partner)

    @classmethod
    def _create_task(cls, name, partner, answered=True):
        task = cls.env["project.task"].create(
            {"name": name, "project_id": cls.ws_project.id, "partner_id": partner.id}
        )
        task.message_subscribe(partner.ids)
        task._portal_ensure_token()
        if answered:
            answer_worksheet(task)
        return task

    def _sign(self, task, token=None, name="Joel Willis", signature=None):
        url = f"/my/tasks/{task.id}/worksheet/sign"
        if token:
            url += f"?access_token={token}"
        params = {
            "name": name,
            "signature": signature_png() if signature is None else signature,
        }
        return self.make_jsonrpc_request(url, params)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    # ------------------------------------------------------------------ task page and
    # PDF
    def test_task_page_shows_worksheet(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self._get(f"/my/tasks/{self.task.id}")
        self.assertEqual(page.status_code, 200)
        for text in (
            "Worksheet",
            "Work done",
            "Replaced the seal.",
            "Worn",
            "Sign Worksheet",
            "/worksheet/sign",
            f"/my/tasks/{self.task.id}/worksheet?",
        ):
            self.assertIn(text, page.text)
        self.assertEqual(self._get(f"/my/tasks/{self.other_task.id}").status_code, 303)
        self.task.worksheet_answer_ids.filtered("required")[0].value = False
        page = self._get(f"/my/tasks/{self.task.id}")
        self.assertIn("has not completed the worksheet", page.text)
        self.assertNotIn("Sign Worksheet", page.text)

    def test_pdf_download(self):
        url = f"/my/tasks/{self.task.id}/worksheet?report_type=pdf&download=True"
        self.authenticate(None, None)
        self.assertEqual(self._get(url).status_code, 303, "no token")
        self.assertEqual(
            self._get(f"{url}&access_token={self.other_task.access_token}").status_code,
            303,
            "another task's token",
        )
        response = self._get(f"{url}&access_token={self.task.access_token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Worksheet_Kettle_check.pdf", response.headers["Content-Disposition"]
        )
        self.assertIn(
            "Worn", response.text
        )  # tests render the report's HTML, not a PDF
        self.authenticate(self.other_portal.login, self.other_portal.login)
        self.assertEqual(self._get(url).status_code, 303)
        other_url = f"/my/tasks/{self.other_task.id}/worksheet?download=True"
        self.assertEqual(self._get(other_url).status_code, 200)
        # A task without worksheet: back to the task page.
        plain = self.env["project.task"].create(
            {
                "name": "No worksheet",
                "project_id": self.ws_project.id,
                "partner_id": self.other_partner.id,
                "worksheet_template_id": False,
            }
        )
        plain.message_subscribe(self.other_partner.ids)
        self.assertFalse(plain.worksheet_answer_ids)
        response = self._get(f"/my/tasks/{plain.id}/worksheet")
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/tasks/{plain.id}", response.headers["Location"])

    # ------------------------------------------------------------------ sign route
    def test_customer_signs(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        result = self._sign(self.task)
        self.assertTrue(result["force_refresh"])
        self.assertIn(f"/my/tasks/{self.task.id}", result["redirect_url"])
        self.assertIn("message=worksheet_signed", result["redirect_url"])
        self.assertEqual(self.task.worksheet_signed_by, "Joel Willis")
        self.assertTrue(self.task.worksheet_signed_on)
        message = self.task.message_ids[0]
        self.assertEqual(message.author_id, self.partner_portal)
        self.assertIn("Worksheet signed by Joel Willis", message.body)
        self.assertEqual(len(message.attachment_ids), 1)
        page = self._get(result["redirect_url"])
        self.assertIn("The worksheet is signed.", page.text)
        self.assertNotIn("Sign Worksheet", page.text)

        result = self._sign(self.task, name="Joel again")
        self.assertIn("already signed by Joel Willis", result["error"])
        self.assertEqual(self.task.worksheet_signed_by, "Joel Willis")

    def test_sign_with_the_task_link(self):
        self.authenticate(None, None)
        result = self._sign(
            self.other_task, token=self.other_task.access_token, name="Elm Boss"
        )
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self.other_task.worksheet_signed_by, "Elm Boss")
        self.assertEqual(
            self.other_task.message_ids[0].author_id,
            self.other_partner,
            "a visitor with the link signs for the task's customer",
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_sign_refused(self):
        unanswered = self._create_task(
            "Unanswered", self.partner_portal, answered=False
        )
        self.authenticate(self.user_portal.login, self.user_portal.login)
        cases = [
            (unanswered, {}, "required questions"),
            (self.task, {"name": " "}, "Enter your name"),
            (self.task, {"signature": ""}, "Draw or type your signature"),
            (self.task, {"signature": "bm90IGEgcG5n"}, "not a PNG image"),
            (self.other_task, {}, "not yours to sign"),
            (self.other_task, {"token": self.task.access_token}, "not yours to sign"),
        ]
        for task, kwargs, message in cases:
            with self.subTest(task=task.name, **kwargs):
                result = self._sign(task, **kwargs)
                self.assertIn(message, result.get("error", ""))
        self.authenticate(self.other_portal.login, self.other_portal.login)
        self.assertIn("not yours", self._sign(self.task)["error"])
        self.assertIn(
            "not yours",
            self._sign(self.task, token=self.other_task.access_token)["error"],
        )
        self.authenticate(None, None)
        self.assertIn("not yours", self._sign(self.task)["error"])
        self.assertIn("not yours", self._sign(self.task, token="forged")["error"])
        tasks = self.task | self.other_task | unanswered
        self.assertFalse(any(tasks.mapped("worksheet_signature")), "nothing signed")
        self.assertFalse(any(tasks.mapped("worksheet_signed_by")))
