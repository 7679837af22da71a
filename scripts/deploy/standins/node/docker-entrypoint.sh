#!/bin/sh
# As in the official node images: a first argument that is an option or not a command goes to node;
# otherwise the command replaces this shell (exec), so it gets the signals as PID 1.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
