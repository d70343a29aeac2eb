#!/bin/sh
# Runs once, when the `db` container initializes its data directory: lets the `replica` service
# (docker compose --profile scale) stream from it. Password auth, on the compose network only.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
