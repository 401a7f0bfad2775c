import {registry} from "@web/core/registry";

function toggleCoupons(checkedBefore) {
    const state = checkedBefore ? ":checked" : ":not(:checked)";
    return [
        {
            content: `Coupons is ${checkedBefore ? "on" : "off"}: switch it`,
            trigger: `.o_form_view div[name='use_coupons'] input${state}`,
            run: "click",
        },
        {
            content: "Save the team",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible))",
        },
    ];
}

registry.category("web_tour.tours").add("helpdesk_after_sales_team_toggle", {
    url: "/odoo/action-helpdesk_mgmt.helpdesk_ticket_team_action",
    steps: () => [
        {
            content: "Open the After-Sales tour team",
            trigger: ".o_data_row td.o_data_cell:contains('Tour After-Sales Team')",
            run: "click",
        },
        {
            content: "The team form shows the After-Sales section",
            trigger: ".o_form_view div[name='after_sales']",
        },
        ...toggleCoupons(true),
        ...toggleCoupons(false),
        {
            content: "Coupons is on again",
            trigger: ".o_form_view div[name='use_coupons'] input:checked",
        },
    ],
});
