#!/bin/sh
# Runs "$@" and stops it (SIGTERM) when the process that started this script goes away, so that
# a database server never outlives a killed owner. Also passes our own SIGTERM/SIGINT on.
"$@" &
child=$!
owner=$PPID
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit $?' TERM INT
while kill -0 "$child" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child"
    exit $?
  fi
  sleep 1
done
wait "$child"
