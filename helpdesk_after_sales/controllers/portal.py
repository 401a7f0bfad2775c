from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv.expression import AND

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.project.controllers.portal import ProjectCustomerPortal


class ProjectCustomerPortalHelpdesk(ProjectCustomerPortal):
    """A field service task's portal page links to the ticket it was planned from."""

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
                {"access_url": ticket_sudo.access_url, "title": request.env._("Helpdesk Ticket")}
            )
        return values


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
        # sudo: the rule domain above already narrows the search to readable tasks; sudo
        # lets the page show their stage and assignees, as project's own task list does.
        return Task.sudo().search(domain, order="date_deadline, id")
