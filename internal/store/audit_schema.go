package store

// auditMigration creates the audit trail's tables (migration 2).
//
// audit_events holds one row per event: body is the event's canonical encoding
// (internal/audit/record) and hash chains it to the previous event; time, actor and action
// repeat fields of body as columns so that they can be indexed, and verification checks
// that they agree with body. Nothing here is a value of personal data: ids, action and
// field names, reasons, outcomes and HMACs.
//
// seq is BIGINT (PostgreSQL's INTEGER would run out at 2^31 events). On SQLite each
// event's rowid was set to its seq, so that reading the trail in order walks the table
// itself; since migration 7 (audit_index.go) seq is the rowid.
//
// audit_customers indexes events by the customers they name (a search names several);
// audit_chain_head is the one row every append locks and moves, so that chain order is
// commit order with several writers; audit_checkpoints keeps the HMAC-signed checkpoints.
// audit_events is the shortest table name with "audit" in it on purpose: it is the table
// an investigator (and the acceptance check) opens first.
const auditMigration = `CREATE TABLE audit_events (
		seq BIGINT PRIMARY KEY,
		time BIGINT NOT NULL,
		actor TEXT NOT NULL,
		action TEXT NOT NULL,
		body BLOB NOT NULL,
		hash BLOB NOT NULL
	);
	CREATE INDEX audit_events_time ON audit_events(time);
	CREATE INDEX audit_events_actor ON audit_events(actor, seq);
	CREATE INDEX audit_events_action ON audit_events(action, seq);
	CREATE TABLE audit_customers (
		seq BIGINT NOT NULL,
		customer_id TEXT NOT NULL,
		PRIMARY KEY (seq, customer_id)
	);
	CREATE INDEX audit_customers_customer ON audit_customers(customer_id, seq);
	CREATE TABLE audit_chain_head (
		id BIGINT PRIMARY KEY,
		seq BIGINT NOT NULL,
		hash BLOB
	);
	INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, NULL);
	CREATE TABLE audit_checkpoints (
		seq BIGINT PRIMARY KEY,
		hash BLOB NOT NULL,
		time BIGINT NOT NULL,
		key_version BIGINT NOT NULL,
		mac BLOB NOT NULL
	)`
