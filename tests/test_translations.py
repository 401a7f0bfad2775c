from pathlib import Path

import polib

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from .common import AfterSalesCase

I18N = Path(__file__).parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(AfterSalesCase):
    def test_catalogs_complete(self):
        template = polib.pofile(str(I18N / "helpdesk_after_sales.pot"))
        msgids = {entry.msgid for entry in template}
        self.assertGreater(len(msgids), 40)
        for lang in ("sv", "es", "ko"):
            with self.subTest(lang=lang):
                catalog = polib.pofile(str(I18N / f"{lang}.po"))
                translated = {e.msgid for e in catalog.translated_entries()}
                self.assertEqual(
                    msgids - translated, set(), f"{lang}.po misses entries"
                )
                self.assertFalse(
                    catalog.fuzzy_entries(), f"{lang}.po has fuzzy entries"
                )
                for entry in catalog:
                    for placeholder in ("%(", "%s"):
                        self.assertEqual(
                            entry.msgid.count(placeholder),
                            entry.msgstr.count(placeholder),
                            f"{lang}: placeholders of {entry.msgid!r}",
                        )

    def test_template_up_to_date(self):
        # Odoo's own export of the module's terms (code, views, data): a string added
        # without `dev.py pot` would otherwise ship untranslated and pass unnoticed.
        exported = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, ["helpdesk_after_sales"])
            )
            if module == "helpdesk_after_sales"
        }
        template = polib.pofile(str(I18N / "helpdesk_after_sales.pot"))
        self.assertGreater(len(exported), 40)
        self.assertEqual(
            exported - {entry.msgid for entry in template},
            set(),
            "helpdesk_after_sales.pot misses terms: run `scripts/dev.py pot`",
        )

    def test_errors_in_the_users_language(self):
        expected = {
            "sv_SE": ("hör inte till produkten", "Endast helpdesk-chefer"),
            "es_ES": ("no es del producto", "Solo los gerentes"),
            "ko_KR": ("품목", "헬프데스크 관리자만"),
        }
        for lang, (lot_error, access_error) in expected.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(
                    ["helpdesk_after_sales"], [lang]
                )
                self.agent.lang = lang
                # What a request of the agent's web client carries: the user's language.
                agent_env = self.env(user=self.agent, context={"lang": self.agent.lang})
                other_lot = self.env["stock.lot"].create(
                    {"name": f"LOT-{lang}", "product_id": self.product.id}
                )
                with self.assertRaisesRegex(ValidationError, lot_error):
                    self.ticket.with_env(agent_env).write(
                        {"product_id": self.serial_product.id, "lot_id": other_lot.id}
                    )
                self.env.clear()
                with self.assertRaisesRegex(AccessError, access_error):
                    self.team.with_env(agent_env).write({"use_coupons": False})
                self.env.clear()
