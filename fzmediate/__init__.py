"""fzmediate core: domain, store, security and services. Never imports Qt."""

__version__ = "0.1.0"
