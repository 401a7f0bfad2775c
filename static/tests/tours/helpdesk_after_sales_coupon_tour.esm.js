import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_coupon", {
    steps: () => [
        {
            content: "The ticket has no coupon yet",
            trigger:
                ".o_form_view:not(:has(button[name='action_view_coupons']:visible))",
        },
        {
            content: "Give the customer a coupon",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name='action_generate_coupon']",
            run: "click",
        },
        {
            content: "Look for the goodwill program",
            trigger: ".modal .o_field_widget[name='program_id'] input",
            run: "edit Tour Goodwill",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Goodwill)",
            run: "click",
        },
        {
            content: "The program is chosen",
            trigger:
                ".modal .o_field_widget[name='program_id'] input:value(Tour Goodwill)",
        },
        {
            content: "Get a share link",
            trigger: ".modal footer button[name='action_coupon_generate_share']",
            run: "click",
        },
        {
            content: "The Share Coupons window shows the link",
            trigger:
                ".modal:contains(Share Coupons) .o_field_widget[name='share_link']:contains(/coupon/)",
        },
        {
            content: "Done",
            trigger: ".modal footer button.btn-primary:contains(Done)",
            run: "click",
        },
        {
            content: "The ticket counts one coupon",
            trigger:
                "body:not(:has(.modal)) button[name='action_view_coupons'] .o_stat_value:contains(1)",
        },
    ],
});
