package store

import (
	"context"
	"fmt"
	"strings"
)

// migrations are applied in order, each once, each in its own transaction. Never edit one
// that has shipped: add the next. Types are written for SQLite; BLOB becomes BYTEA on
// PostgreSQL. A statement that starts with /*sqlite*/ runs on SQLite only, one that starts
// with /*postgres*/ on PostgreSQL only. Times are
// microseconds since the Unix epoch (BIGINT) in both.
var migrations = []string{
	// 1: shops, API keys, customers. A customer's blind indexes (16-byte HMACs, one per
	// searchable field) are columns of its row with a partial index each: one row write per
	// create instead of a row plus four index-table rows, which keeps the single writer fast.
	// No index on shop_id or key_version: every read names the customer id (and checks the
	// shop), and only rare maintenance (rotation, counts) scans by shop or key version.
	`CREATE TABLE shops (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		key_version BIGINT NOT NULL,
		wrapped_key BLOB NOT NULL,
		created_at BIGINT NOT NULL
	);
	CREATE TABLE api_keys (
		id TEXT PRIMARY KEY,
		shop_id TEXT NOT NULL REFERENCES shops(id),
		name TEXT NOT NULL,
		hash BLOB NOT NULL UNIQUE,
		scopes TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		revoked_at BIGINT
	);
	CREATE TABLE customers (
		id TEXT PRIMARY KEY,
		shop_id TEXT NOT NULL REFERENCES shops(id),
		shredded BIGINT NOT NULL DEFAULT 0,
		revision BIGINT NOT NULL,
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		key_version BIGINT NOT NULL,
		dek_version BIGINT NOT NULL,
		wrapped_dek BLOB,
		name BLOB, name_kana BLOB, email BLOB, phone BLOB, postal_code BLOB,
		address BLOB, birth_date BLOB, gender BLOB, attributes BLOB, card BLOB,
		ix_email BLOB, ix_phone BLOB, ix_name BLOB, ix_name_kana BLOB
	);
	CREATE INDEX customers_ix_email ON customers(ix_email) WHERE ix_email IS NOT NULL;
	CREATE INDEX customers_ix_phone ON customers(ix_phone) WHERE ix_phone IS NOT NULL;
	CREATE INDEX customers_ix_name ON customers(ix_name) WHERE ix_name IS NOT NULL;
	CREATE INDEX customers_ix_name_kana ON customers(ix_name_kana) WHERE ix_name_kana IS NOT NULL;`,
	// 2: the audit trail (audit_schema.go).
	auditMigration,
	// 3: staff, sessions, login throttling (staff_schema.go).
	staffMigration,
	// 4: API-key limits (an IP allow-list of canonical CIDRs separated by spaces, '' for
	// any address; an expiry) and the audit trail's signed cut left by pruning
	// (audit_retention.go).
	`ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
	ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
	` + auditCutMigration,
	// 5: shop settings from the console: display name, stricter session limits
	// (shop_settings.go).
	shopSettingsMigration,
	// 6: the retention cut's table renamed: audit_events must stay the shortest table name
	// with "audit" in it (audit_schema.go), the one an investigator opens first.
	`ALTER TABLE audit_cut RENAME TO audit_retention_cut`,
	// 7: the audit trail's customer index written behind the trail, bucketed by seq
	// (audit_index.go).
	auditIndexMigration,
	// 8: the audit journal's mark (SQLite; audit_journal.go).
	auditJournalMigration,
}

// migrate applies the migrations up to version upto (len(migrations) but in tests).
func (db *DB) migrate(ctx context.Context, upto int) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.where, err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		// Several servers may start at once against one database: one migrates, the others wait.
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7413100)`); err != nil {
			return fmt.Errorf("database %s: migration lock: %w", db.where, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7413100)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("database %s: %w", db.where, err)
	}
	var have int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("database %s: %w", db.where, err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database %s is at schema version %d, newer than this kinko (%d): upgrade kinko", db.where, have, len(migrations))
	}
	for v := have + 1; v <= upto; v++ {
		ddl := migrations[v-1]
		if db.dialect == Postgres {
			ddl = strings.ReplaceAll(ddl, "BLOB", "BYTEA")
		}
		err := func() error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, stmt := range strings.Split(ddl, ";") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if !runsOn(stmt, db.dialect) {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, micros(db.now())); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("database %s: migration %d: %w", db.where, v, err)
		}
	}
	return nil
}

// runsOn reports whether a migration statement runs on dialect d (see migrations).
func runsOn(stmt string, d Dialect) bool {
	stmt = strings.TrimSpace(stmt)
	switch {
	case strings.HasPrefix(stmt, "/*sqlite*/"):
		return d == SQLite
	case strings.HasPrefix(stmt, "/*postgres*/"):
		return d == Postgres
	}
	return true
}

// SchemaVersion reports the applied migration version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
