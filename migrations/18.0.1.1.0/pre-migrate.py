from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    """Teams may now only plan into field-service projects: the projects they already
    use become field-service projects, so that their data (and the demo data) stays
    valid."""
    if not column_exists(cr, "project_project", "is_fsm"):
        create_column(cr, "project_project", "is_fsm", "boolean")
    cr.execute(
        """
        UPDATE project_project
           SET is_fsm = TRUE
         WHERE id IN (SELECT fsm_project_id FROM helpdesk_ticket_team
                       WHERE fsm_project_id IS NOT NULL)
        """
    )
