package store

// staffMigration creates staff accounts and their sessions (migration 3).
const staffMigration = `CREATE TABLE staff (
		id TEXT PRIMARY KEY,
		shop_id TEXT NOT NULL REFERENCES shops(id),
		email_hash BLOB NOT NULL,
		role TEXT NOT NULL,
		created_at BIGINT NOT NULL
	)`
