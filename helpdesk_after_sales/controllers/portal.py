from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.project.controllers.portal import ProjectCustomerPortal


class AfterSalesProjectPortal(ProjectCustomerPortal):
    # --- Worksheets
    def _show_task_report(self, task_sudo, report_type, download):
        if not task_sudo.worksheet_answer_ids:
            return super()._show_task_report(task_sudo, report_type, download)
        return self._show_report(
            model=task_sudo,
            report_type=report_type,
            report_ref="helpdesk_after_sales.action_report_worksheet",
            download=download,
        )

    @http.route(
        ["/my/tasks/<int:task_id>/worksheet/sign"], type="json", auth="public", website=True
    )
    def portal_task_worksheet_sign(self, task_id, access_token=None, name=None, signature=None):
        """The customer signs the task's worksheet, as a quotation is signed: with the task's
        link (access token, from the query string when the widget does not post it) or as a
        logged-in customer who may read the task."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            task_sudo = self._document_check_access("project.task", task_id, access_token)
        except (AccessError, MissingError):
            return {"error": request.env._("This task does not exist or is not yours to sign.")}
        try:
            # A visitor with the task's link signs for the task's customer.
            user = request.env.user
            author = task_sudo.partner_id if user._is_public() else user.partner_id
            task_sudo._sign_worksheet(name, signature, author)
        except (UserError, ValidationError) as error:
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": task_sudo.get_portal_url(query_string="&message=worksheet_signed"),
        }
