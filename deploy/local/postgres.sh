#!/bin/sh
# Throwaway PostgreSQL for slawatch's store tests, from Debian's postgresql
# package (no Docker, no system service touched).
#
#   eval "$(deploy/local/postgres.sh start)"   # starts it, exports SLAWATCH_TEST_POSTGRES_DSN
#   go test ./store/...
#   deploy/local/postgres.sh stop              # stops it and deletes its data
#   deploy/local/postgres.sh env               # prints the export line again
#   deploy/local/postgres.sh status
#
# Settings (environment): SLAWATCH_PG_DIR (default /tmp/slawatch-pg, the data,
# socket and log live there), SLAWATCH_PG_PORT (default 55432, loopback only).
# As root the cluster runs as the "postgres" user (PostgreSQL refuses root).
# Only the export line goes to stdout, so the script can be eval'ed.
set -eu
# runuser keeps the caller's working directory, which the postgres user may not enter.
cd /

dir=${SLAWATCH_PG_DIR:-/tmp/slawatch-pg}
port=${SLAWATCH_PG_PORT:-55432}
db=slawatch_test
dsn="postgres://postgres@127.0.0.1:$port/$db?sslmode=disable"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "postgres.sh: no /usr/lib/postgresql/*/bin/pg_ctl; install Debian's postgresql package (apt-get install postgresql)" >&2
	exit 1
fi

# as runs a command as the cluster owner.
as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() { [ -f "$dir/data/postmaster.pid" ] && as "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case ${1:-} in
start)
	if running; then
		echo "postgres.sh: already running in $dir" >&2
	else
		rm -rf "$dir"
		mkdir -p "$dir"
		if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
		as "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
		# fsync off: a test cluster; the store's own durability is SQLite's.
		as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2 ||
			{ cat "$dir/postgres.log" >&2; exit 1; }
		as "$bindir/createdb" -h "$dir" -p "$port" -U postgres "$db" >&2
		echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2
	fi
	echo "export SLAWATCH_TEST_POSTGRES_DSN='$dsn'"
	;;
env)
	echo "export SLAWATCH_TEST_POSTGRES_DSN='$dsn'"
	;;
status)
	if running; then echo "running: $dsn"; else echo "not running"; exit 3; fi
	;;
stop)
	if running; then as "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2; fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop|env|status" >&2
	exit 2
	;;
esac
