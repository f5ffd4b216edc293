package store

// staffMigration creates staff accounts, their sessions, login throttling and the shops' IP
// allow-lists (migration 3).
//
//   - staff.email is the staff member's work address, kept in clear (it is their login name,
//     not a customer's data); unique per shop.
//   - staff.password_hash is an argon2id string that names its parameters; NULL until the
//     member sets a password through a setup link.
//   - staff.totp_secret is sealed (AES-256-GCM) under a key derived from master version
//     totp_key_version; totp_confirmed is 0 while an enrolment waits for its first code;
//     totp_last_step refuses a code's replay.
//   - setup_hash is the SHA-256 of a one-time setup token, valid until setup_expires.
//   - login_failures and login_locks are keyed by account, an HMAC of shop and email, so an
//     address that is not a staff member locks exactly like one that is, and the address
//     someone typed is not stored.
const staffMigration = `CREATE TABLE staff (
		id TEXT PRIMARY KEY,
		shop_id TEXT NOT NULL REFERENCES shops(id),
		email TEXT NOT NULL,
		role TEXT NOT NULL,
		status TEXT NOT NULL,
		password_hash TEXT,
		totp_secret BLOB,
		totp_key_version BIGINT NOT NULL DEFAULT 0,
		totp_confirmed BIGINT NOT NULL DEFAULT 0,
		totp_last_step BIGINT NOT NULL DEFAULT 0,
		setup_hash BLOB,
		setup_expires BIGINT NOT NULL DEFAULT 0,
		last_login_at BIGINT NOT NULL DEFAULT 0,
		last_login_ip TEXT NOT NULL DEFAULT '',
		created_at BIGINT NOT NULL,
		updated_at BIGINT NOT NULL,
		UNIQUE (shop_id, email)
	);
	CREATE UNIQUE INDEX staff_setup ON staff(setup_hash) WHERE setup_hash IS NOT NULL;
	CREATE TABLE staff_recovery_codes (
		staff_id TEXT NOT NULL REFERENCES staff(id),
		hash BLOB NOT NULL,
		used_at BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (staff_id, hash)
	);
	CREATE TABLE staff_known (
		staff_id TEXT NOT NULL REFERENCES staff(id),
		kind TEXT NOT NULL,
		hash BLOB NOT NULL,
		first_seen BIGINT NOT NULL,
		PRIMARY KEY (staff_id, kind, hash)
	);
	CREATE TABLE staff_sessions (
		hash BLOB PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		staff_id TEXT NOT NULL REFERENCES staff(id),
		shop_id TEXT NOT NULL,
		restricted BIGINT NOT NULL,
		ip TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		last_seen BIGINT NOT NULL
	);
	CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);
	CREATE TABLE login_failures (
		shop_id TEXT NOT NULL,
		account BLOB NOT NULL,
		ip TEXT NOT NULL,
		at BIGINT NOT NULL
	);
	CREATE INDEX login_failures_account ON login_failures(shop_id, account, at);
	CREATE INDEX login_failures_ip ON login_failures(ip, at);
	CREATE INDEX login_failures_at ON login_failures(at);
	CREATE TABLE login_locks (
		shop_id TEXT NOT NULL,
		account BLOB NOT NULL,
		locked_until BIGINT NOT NULL,
		PRIMARY KEY (shop_id, account)
	);
	CREATE TABLE shop_ip_allow (
		shop_id TEXT NOT NULL REFERENCES shops(id),
		cidr TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		PRIMARY KEY (shop_id, cidr)
	)`
