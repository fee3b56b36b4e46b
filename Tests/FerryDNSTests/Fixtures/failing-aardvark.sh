#!/bin/sh
# Stands in for an aardvark-dns that cannot start.
echo "aardvark-dns test double: cannot bind, port taken" >&2
exit 1
