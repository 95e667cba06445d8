"""What the desk app asks of the store, as calls that can cross a process boundary.

Every screen's store work is a module-level function here, ``fn(session, token, *args) -> DTO``, run by
``SessionContext.call`` on the DB worker. Arguments and results are plain frozen dataclasses, strings,
numbers, dates and bytes (picklable): never ORM objects, never a ``Session``. ``token`` is the operation's
cancel token (``token.check()`` between steps, ``token.report(done, total, text)`` for progress).

No Qt here: these functions are the desk's side of :mod:`fzmediate.services`, tested without a window.
One module per screen: ``today``, ``case_list``, ``case_view``, ``intake``, ``supervisor``, ``admin``.
"""
