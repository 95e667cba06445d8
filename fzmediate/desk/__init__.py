"""What the desk app asks of the store, as calls that can cross a process boundary.

Every screen's store work is a module-level function here, ``fn(session, token, *args) -> DTO``, run by
``SessionContext.call`` on the DB worker. Arguments and results are plain frozen dataclasses, strings,
numbers, dates and bytes (picklable): never ORM objects, never a ``Session``. ``token`` is the operation's
cancel token (``token.check()`` between steps, ``token.report(done, total, text)`` for progress).

No Qt here: these functions are the desk's side of :mod:`fzmediate.services`, tested without a window.
One module per screen: ``today``, ``case_list``, ``case_view``, ``intake``, ``supervisor``, ``admin``;
``gate`` for what happens before anyone is signed in (set-up, recovery: ``fn(workspace, *args)``).

The GUI process imports these modules to name the calls and to read their results, and must never load the
store (SQLAlchemy, the models, pydantic, cryptography, the PDF stack: memory, and key hygiene). So at module
level a desk module imports only plain values (``fzmediate.services.case_dto`` and the other ``*_dto``
modules, ``fzmediate.procedure.form_types``, ``fzmediate.store.changes``, ``fzmediate.errors`` …); the
services it calls are imported inside the functions, which run in the store process (its
``store_host.WARM_MODULES`` loads them ahead). ``tests/security/test_gui_process_imports.py`` walks the desk
in a fresh process and fails if the GUI loaded any of them.
"""
