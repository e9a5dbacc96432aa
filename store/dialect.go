package store

import (
	"fmt"
	"strconv"
	"strings"
)

// dialect holds every difference between SQLite and PostgreSQL in one place.
// The schema and the queries are otherwise the same text.
type dialect struct {
	name string
	// driver is the database/sql driver name.
	driver string
	// dollar: PostgreSQL numbers its placeholders ($1, $2, …); SQLite uses ?.
	dollar bool
	// migrationLock is run first in each migration transaction so that two
	// processes starting at once do not both migrate (SQLite: BEGIN
	// IMMEDIATE, set by the DSN, already serialises writers).
	migrationLock string
	// maxParams bounds the placeholders in one statement.
	maxParams int
	// withoutRowid replaces {{WITHOUT_ROWID}} at the end of a CREATE TABLE
	// in migrations: SQLite then keeps the rows in the primary-key b-tree
	// instead of a rowid table plus an index.
	withoutRowid string
}

// migrationSQL fills in the dialect's parts of a migration.
func (d dialect) migrationSQL(src string) string {
	return strings.ReplaceAll(src, "{{WITHOUT_ROWID}}", d.withoutRowid)
}

func sqliteDialect() dialect {
	return dialect{name: "sqlite", driver: "sqlite", maxParams: 32766, withoutRowid: "WITHOUT ROWID"}
}

func postgresDialect() dialect {
	return dialect{
		name:   "postgres",
		driver: "pgx",
		dollar: true,
		// An arbitrary fixed key for slawatch's schema migrations.
		migrationLock: "SELECT pg_advisory_xact_lock(7151823640)",
		maxParams:     65535,
	}
}

// placeholders writes one "(p, p, …)" tuple of n placeholders numbered from
// *next (PostgreSQL) and advances *next.
func (d dialect) tuple(b *strings.Builder, n int, next *int) {
	b.WriteByte('(')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.param(*next))
		*next++
	}
	b.WriteByte(')')
}

// param returns the placeholder for the i-th argument (1-based).
func (d dialect) param(i int) string {
	if d.dollar {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

// rebind turns a query written with ? placeholders into the dialect's form.
// Queries passed here contain no ? inside string literals.
func (d dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	n := 1
	for _, r := range q {
		if r == '?' {
			fmt.Fprintf(&b, "$%d", n)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
