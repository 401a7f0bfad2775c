import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_plan_intervention", {
    steps: () => [
        {
            content: "The ticket has one task already",
            trigger: "button[name='action_view_fsm_tasks'] .o_stat_value:contains(1)",
        },
        {
            content: "Plan an intervention",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name='action_plan_intervention']",
            run: "click",
        },
        {
            content: "The team's Field Service project is proposed",
            trigger:
                ".modal .o_field_widget[name='project_id'] input:value(Field Service)",
        },
        {
            content: "Give the task a title",
            trigger: ".modal .o_field_widget[name='name'] input",
            run: "edit Replace the heating element",
        },
        {
            content: "Create & View Task",
            trigger: ".modal footer button[name='action_generate_and_view_task']",
            run: "click",
        },
        {
            content: "The task opens, linked to the ticket",
            trigger: ".o_form_view .o_field_widget[name='helpdesk_ticket_id']",
        },
        {
            content: "It is the new task",
            trigger: ".o_breadcrumb .active:contains(Replace the heating element)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Kettle leaks)",
            run: "click",
        },
        {
            content: "The ticket counts two tasks",
            trigger: "button[name='action_view_fsm_tasks'] .o_stat_value:contains(2)",
        },
    ],
});

registry.category("web_tour.tours").add("helpdesk_after_sales_portal_fsm_task", {
    steps: () => [
        {
            content: "My Tasks lists the intervention with its technician",
            trigger: "tr:has(a:contains(Fix the Oak kettle)):contains(Tess Technician)",
        },
        {
            content: "The other customer's task is not listed",
            trigger: "body:not(:has(a:contains(Fix the Birch oven)))",
        },
        {
            content: "Open the task",
            trigger: "a:contains(Fix the Oak kettle)",
            run: "click",
        },
        {
            content: "The task page shows the technician",
            trigger: "#task_content:contains(Fix the Oak kettle)",
        },
        {
            content: "Go to the ticket the task was planned from",
            trigger:
                "div[name='portal_my_task_helpdesk_ticket'] a[href^='/my/ticket/']",
            run: "click",
        },
        {
            content: "The ticket lists its field service task",
            trigger: "#ticket_fsm_tasks a:contains(Fix the Oak kettle)",
        },
    ],
});
