import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_repair", {
    steps: () => [
        {
            content: "The ticket has no repair yet",
            trigger:
                ".o_form_view:not(:has(button[name='action_view_repairs']:visible))",
        },
        {
            content: "Send the product to repair",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_repair']",
            run: "click",
        },
        {
            content: "The repair form is prefilled with the ticket's customer",
            trigger:
                ".o_form_view .o_field_widget[name='partner_id'] input:value(Tour Repair Customer)",
        },
        {
            content: "... its product",
            trigger:
                ".o_form_view .o_field_widget[name='product_id'] input:value(Tour Blender)",
        },
        {
            content: "Open the repair notes",
            trigger: ".o_notebook .nav-link:contains(Repair Notes)",
            run: "click",
        },
        {
            content: "... the ticket's description is there",
            trigger:
                ".o_form_view .o_field_widget[name='internal_notes']:contains(Motor smells burnt)",
        },
        {
            content: "The workshop's buttons are not the agent's",
            trigger: ".o_form_view:not(:has(button[name='action_validate']))",
        },
        {
            content: "Save the repair",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible))",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Blender stopped)",
            run: "click",
        },
        {
            content: "The ticket counts one repair",
            trigger: "button[name='action_view_repairs'] .o_stat_value:contains(1)",
        },
    ],
});
