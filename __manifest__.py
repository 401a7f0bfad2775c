{
    "name": "Helpdesk After-Sales",
    "summary": "Refund, coupon, return, repair and field service from a helpdesk ticket",
    "version": "18.0.1.1.0",
    "category": "After-Sales",
    "license": "LGPL-3",
    "author": "helpdesk_after_sales developers",
    "website": "https://github.com/helpdesk-after-sales/helpdesk_after_sales",
    "depends": ["helpdesk_mgmt", "sale_stock", "repair", "sale_loyalty", "project"],
    "data": [
        "security/ir.model.access.csv",
        "security/repair_order_security.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/account_move_views.xml",
        "views/account_move_reversal_views.xml",
        "views/project_project_views.xml",
        "views/project_task_views.xml",
        "views/helpdesk_create_fsm_task_views.xml",
        "views/project_task_templates.xml",
        "views/helpdesk_ticket_templates.xml",
        "views/repair_order_views.xml",
    ],
    "demo": [
        "data/helpdesk_after_sales_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "helpdesk_after_sales/static/tests/tours/**/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
