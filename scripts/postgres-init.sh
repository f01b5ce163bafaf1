#!/bin/sh
# Mounted into the postgres container's /docker-entrypoint-initdb.d (docker-compose.yml): runs
# once, when the data volume is new. Creates the runtime role the web, worker and beat log in
# as, with its password. Migrations (run as the owner) then grant it data access only and
# create the row-level-security policies; it owns nothing and never gets BYPASSRLS.
# Idempotent, so it can also be run by hand (scripts/compose-smoke runs it locally).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v role="${TONGXIN_RUNTIME_ROLE:-tongxin_app}" -v password="$TONGXIN_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              :'role', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
SQL
