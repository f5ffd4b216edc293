// Package storetest gives tests fresh databases: a SQLite file in a temporary folder and,
// when KINKO_TEST_POSTGRES names a server, a PostgreSQL schema of their own (so tests run in
// parallel). With CI=true a missing KINKO_TEST_POSTGRES fails the test instead of skipping:
// CI must always prove the PostgreSQL half.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Backend is one database a test runs against.
type Backend struct {
	Name string // "sqlite" or "postgres"
	DSN  string
	// File is the SQLite database file ("" for PostgreSQL), for tests that search it.
	File string
	// Journal is the audit journal a PostgreSQL server keeps in its data folder (a file in
	// a temporary folder; "" for SQLite, whose journal sits beside the database): pass it
	// as store.Options.AuditJournal, as kinko serve does.
	Journal string
}

// Each runs fn once per backend, as subtests named after it.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh SQLite database path in a temporary folder.
func SQLite(t testing.TB) Backend {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kinko.db")
	return Backend{Name: "sqlite", DSN: p, File: p}
}

// Postgres returns a DSN for a fresh schema on KINKO_TEST_POSTGRES, dropped after the test.
func Postgres(t testing.TB) Backend {
	t.Helper()
	base := os.Getenv("KINKO_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("KINKO_TEST_POSTGRES is not set: CI must run the PostgreSQL half (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
		}
		t.Skip("KINKO_TEST_POSTGRES not set; PostgreSQL half skipped")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "kt_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres at KINKO_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KINKO_TEST_POSTGRES is not a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return Backend{Name: "postgres", DSN: u.String(), Journal: filepath.Join(t.TempDir(), "kinko.audit-journal")}
}
