"""Only for speed: WTForms' own messages ("Not a valid email address.") in the site's language, from
WTForms' per-process cache of its catalogs.

Flask-WTF reads WTForms' catalog from disk on every request that builds a form (flask_wtf.i18n:
Babel's Translations.load, about a fifth of a comment POST in bench/run). A site has one language,
so the one catalog WTForms caches is the one Flask-WTF would load. Forms get it by subclassing
SiteForm; without this module they would subclass FlaskForm and say the same words."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta

from blog.core.i18n import site_locale


class SiteForm(FlaskForm):
    """A Flask-WTF form whose built-in messages are WTForms' catalog for the site's language."""

    class Meta:
        def get_translations(self, form):
            self.locales = (str(site_locale()),)  # this form's own Meta instance
            return DefaultMeta.get_translations(self, form)  # WTForms' cache, keyed by the locales
