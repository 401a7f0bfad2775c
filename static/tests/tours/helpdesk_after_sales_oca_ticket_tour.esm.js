/* global document */
import {registry} from "@web/core/registry";

/* The ticket form with OCA's other helpdesk addons installed (dev.py test --with-oca):
   one field for each concept, and each After-Sales button opens its wizard. */

function exactlyOne(name, label) {
    return {
        content: `Exactly one ${label} field on the form`,
        trigger: `.o_form_view .o_field_widget[name='${name}']`,
        run() {
            const count = document.querySelectorAll(
                `.o_form_view .o_field_widget[name='${name}']`
            ).length;
            if (count !== 1) {
                throw new Error(`${count} ${label} fields on the ticket form`);
            }
        },
    };
}

function openWizard(button, title) {
    return [
        {
            content: `Click ${button}`,
            trigger: `.o_form_view .o_statusbar_buttons button[name='${button}']`,
            run: "click",
        },
        {
            content: `The ${title} wizard opens`,
            trigger: `.modal .modal-title:contains(${title})`,
        },
        {
            content: `Close the ${title} wizard`,
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "Back on the ticket",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name='name']",
        },
    ];
}

registry.category("web_tour.tours").add("helpdesk_after_sales_oca_ticket_form", {
    steps: () => [
        {
            content: "The ticket form is open",
            trigger:
                ".o_form_view .o_field_widget[name='name'] input:value(Tour OCA ticket)",
        },
        exactlyOne("product_id", "Product"),
        exactlyOne("sale_order_ids", "Sales orders"),
        {
            content: "No second Sales Order field",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='sale_order_id']))",
        },
        {
            content: "OCA's project field is there too",
            trigger: ".o_form_view .o_field_widget[name='project_id']",
        },
        ...openWizard("action_refund", "Refund"),
        ...openWizard("action_generate_coupon", "Generate a Coupon"),
        {
            content: "Click action_return",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_return']",
            run: "click",
        },
        {
            content: "rma's Create RMAs is not offered on a ticket's return",
            trigger: ".modal:not(:has(.o_field_widget[name='create_rma']))",
        },
        {
            content: "The delivery is preselected: its line proposes the kettle",
            trigger:
                ".modal .o_field_widget[name='product_return_moves'] .o_data_row:first .o_data_cell[name='quantity']:contains(1.00)",
        },
        {
            content: "Return",
            trigger: ".modal footer button[name='action_create_returns']",
            run: "click",
        },
        {
            content: "The return opens",
            trigger: ".o_breadcrumb .active:contains(/IN/)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Tour OCA ticket)",
            run: "click",
        },
        {
            content: "The ticket's Returns smart button",
            trigger: "button[name='action_view_pickings'] .o_stat_value:contains(1)",
            run: "click",
        },
        {
            content: "It opens the return",
            trigger: ".o_breadcrumb .active:contains(/IN/)",
        },
        {
            content: "Back to the ticket again",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Tour OCA ticket)",
            run: "click",
        },
        ...openWizard("action_plan_intervention", "Create a Field Service task"),
        {
            content: "Send the product to repair",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_repair']",
            run: "click",
        },
        {
            content: "The repair form is prefilled with the ticket's customer",
            trigger:
                ".o_form_view .o_field_widget[name='partner_id'] input:value(Tour OCA Customer)",
        },
        {
            content: "Discard the repair",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back on the ticket, after its Sale Orders smart button",
            trigger: ".o_form_view button[name='action_view_sale_orders']",
            run: "click",
        },
        {
            content: "The ticket's sales order",
            trigger: ".o_breadcrumb .active:contains(Sales Orders)",
        },
        {
            content: "... exactly the one linked to the ticket",
            trigger: ".o_list_view .o_data_row:only-child:contains(Tour OCA Customer)",
        },
    ],
});
