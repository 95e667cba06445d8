#!/bin/sh
# /usr/bin/fzmediate: the desk (`fzmediate desk`), the kiosk (`fzmediate kiosk`) or a command (`fzmediate --help`).
exec /opt/fzmediate/fzmediate "$@"
