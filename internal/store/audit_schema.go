package store

// auditMigration creates the audit trail's tables (migration 2).
const auditMigration = `CREATE TABLE audit_events (
		seq BIGINT PRIMARY KEY,
		time BIGINT NOT NULL,
		body BLOB NOT NULL,
		prev_hash BLOB NOT NULL,
		hash BLOB NOT NULL
	)`
