#!/bin/sh
# respawned.sh: an inittab respawn action that ends after a second; init starts it again.
echo run >> /tmp/respawn.runs
echo "respawned: run $(wc -l < /tmp/respawn.runs)"
sleep 1
