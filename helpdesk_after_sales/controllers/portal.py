from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.osv.expression import AND

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.project.controllers.portal import ProjectCustomerPortal


class ProjectCustomerPortalHelpdesk(ProjectCustomerPortal):
    """A field service task's portal page links to the ticket it was planned from, shows
    its worksheet, signs it and downloads it."""

    def _task_get_page_view_values(self, task, access_token, **kwargs):
        values = super()._task_get_page_view_values(task, access_token, **kwargs)
        ticket = task.helpdesk_ticket_id
        if ticket:
            try:
                # Only when the visitor may read the ticket itself: the task's token
                # grants nothing on the ticket.
                ticket_sudo = self._document_check_access("helpdesk.ticket", ticket.id)
            except (AccessError, MissingError):
                return values
            values["helpdesk_ticket"] = ticket_sudo
            values["task_link_section"].append(
                {
                    "access_url": ticket_sudo.access_url,
                    "title": request.env._("Helpdesk Ticket"),
                }
            )
        return values

    # --- Worksheets
    # The worksheet has an address of its own rather than the task's ?report_type=pdf:
    # that one is hr_timesheet's timesheet report (its _show_task_report, which does not
    # call super()), and the customer may need both documents.
    @http.route(
        ["/my/tasks/<int:task_id>/worksheet"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_task_worksheet(
        self, task_id, access_token=None, report_type="pdf", download=False, **kw
    ):
        """The task's worksheet as a PDF (or HTML), for who may read the task or has its
        link."""
        try:
            task_sudo = self._document_check_access(
                "project.task", task_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not task_sudo.worksheet_answer_ids:
            return request.redirect(task_sudo.get_portal_url())
        return self._show_report(
            model=task_sudo,
            report_type=report_type,
            report_ref="helpdesk_after_sales.action_report_worksheet",
            download=download,
        )

    @http.route(
        ["/my/tasks/<int:task_id>/worksheet/sign"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_task_worksheet_sign(
        self, task_id, access_token=None, name=None, signature=None
    ):
        """The customer signs the task's worksheet, as a quotation is signed: with the
        task's link (access token, from the query string when the widget does not post
        it) or as a logged-in customer who may read the task."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            task_sudo = self._document_check_access(
                "project.task", task_id, access_token
            )
        except (AccessError, MissingError):
            return {
                "error": request.env._(
                    "This task does not exist or is not yours to sign."
                )
            }
        try:
            # A visitor with the task's link signs for the task's customer.
            user = request.env.user
            author = task_sudo.partner_id if user._is_public() else user.partner_id
            task_sudo._sign_worksheet(name, signature, author)
        except (UserError, ValidationError) as error:
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": task_sudo.get_portal_url(
                query_string="&message=worksheet_signed"
            ),
        }


class CustomerPortalHelpdeskFsm(CustomerPortalHelpdesk):
    """A ticket's portal page lists the field service tasks planned from it."""

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["fsm_tasks"] = self._get_ticket_fsm_tasks(ticket)
        return values

    def _get_ticket_fsm_tasks(self, ticket):
        """The ticket's tasks that the visitor may read himself (project's portal rule:
        tasks of portal projects he follows), whatever the ticket's token grants."""
        Task = request.env["project.task"]
        if not Task.has_access("read"):
            return Task
        domain = AND(
            [
                [("helpdesk_ticket_id", "=", ticket.id)],
                request.env["ir.rule"]._compute_domain(Task._name, "read"),
            ]
        )
        # sudo: grants the stage and assignees of the tasks the domain above allows.
        return Task.sudo().search(domain, order="date_deadline, id")
