"""The supervisor's screens: work queues and assignment, the overdue dashboard, statistics with exports.

``ui.desk.supervisor_page.SupervisorPage`` puts them in tabs; their store work is in
:mod:`fzmediate.desk.supervisor`.
"""
