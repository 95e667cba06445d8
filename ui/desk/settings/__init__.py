"""The sections of the settings and administration page (``ui.desk.settings_page``).

One module per section or dialog. Each section is a plain widget built from the page's ``DeskEnv``; store
work goes through ``env.context.call(fzmediate.desk.admin.<fn>, …)``. File and confirmation dialogs are
module-level functions in :mod:`ui.desk.settings.common`, so tests can answer them.
"""
