package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// AuditRow is one audit event as the store appends and returns it (the format is defined
// once, in internal/audit/record).
type AuditRow = record.Event

// AuditCheckpoint is a signed statement "the chain's hash at Seq is Hash", made by the
// audit package with a key derived from master key version KeyVersion.
type AuditCheckpoint struct {
	Seq        uint64
	Hash       []byte
	Time       time.Time
	KeyVersion uint32
	MAC        []byte
}

// AuditFilter selects events for QueryAudit; zero fields do not filter.
type AuditFilter struct {
	Customer string
	Actor    string
	Action   string
	From, To time.Time // From inclusive, To exclusive
	Before   uint64    // only events with seq < Before (paging newest first); 0 = no bound
	Limit    int
}

const (
	auditHeadSQL    = `SELECT seq, hash FROM audit_chain_head WHERE id = 1`
	auditSetHeadSQL = `UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1`
	auditInsertSQL  = `INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (?, ?, ?, ?, ?, ?)`
)

// auditHotSQL are the statements every append runs; warm (stmt.go) prepares them at Open,
// so that appendAuditTx, which runs inside the writer's transaction, finds them prepared.
func (db *DB) auditHotSQL() []string {
	ins := auditInsertRows
	hot := []string{db.auditLockSQL(), auditSetHeadSQL}
	for i := range ins {
		hot = append(hot, ins[i], auditCustomerRows[i])
		if db.dialect == Postgres {
			hot = append(hot, auditInsertMoveHead[i])
		}
	}
	if db.dialect == Postgres {
		hot = append(hot, auditLockRelaxedPostgres)
	}
	hot = append(hot, db.auditProgressSQL(), auditSetProgressSQL, auditUnindexedSQL)
	return hot
}

func (db *DB) auditLockSQL() string {
	if db.dialect == Postgres {
		// The head row is the chain's lock: transactions that append queue here, so the
		// order of seq (and of the chain) is the order of commits.
		return auditHeadSQL + ` FOR UPDATE`
	}
	return auditHeadSQL // SQLite has one writer; the transaction is already exclusive
}

// AppendAudit appends rows to the trail in one durable write, batched with concurrent
// writes by the group-commit writer. It sets each row's Seq (and Time, when zero).
func (db *DB) AppendAudit(ctx context.Context, rows []AuditRow) error {
	if len(rows) == 0 {
		return nil
	}
	return db.writer.appendEvents(ctx, rows, false)
}

// AppendAuditRelaxed is AppendAudit for events that record a read (no data changed): the
// events are written before it returns, without waiting for the disk. With a journal
// (audit_journal.go) they are appended to it and get their seq when they are moved into
// audit_events (Seq stays 0 here); without one they are committed and chained before it
// returns (groupWriter.doRelaxed says when they reach the disk).
func (db *DB) AppendAuditRelaxed(ctx context.Context, rows []AuditRow) error {
	if len(rows) == 0 {
		return nil
	}
	if j := db.writer.journal; j != nil {
		// Through the journal, written here (audit_journal.go); a journal broken by a
		// failed write sends them through the writer until it is whole again.
		if err := j.append(rows); !errors.Is(err, errJournalBroken) {
			return err
		}
	}
	return db.writer.appendEvents(ctx, rows, true)
}

// appendAuditTx appends batches of rows inside tx, in order: it locks the chain head,
// numbers the rows from the head's seq, chains their hashes and moves the head. The group
// writer calls it once, last, with the events of every write in the transaction
// (groupWriter.tx), so the head lock is held only until the commit; if it fails the
// transaction rolls back, so no action happens without its event. The customer index is
// not written here: the indexer (audit_index.go) adds those rows shortly after, off the
// path of the request. relaxed says the transaction commits without waiting for the disk
// (the events of reads, groupWriter.doRelaxed); on PostgreSQL the head's lock sets that for
// the transaction, in the same round trip. It sets each row's Seq (and Time, when zero);
// like every write function it may run again after a neighbour's failure and gives the
// same result.
func (db *DB) appendAuditTx(ctx context.Context, tx *sql.Tx, relaxed bool, batches ...[]AuditRow) error {
	return db.appendAuditVia(batches, func() (seq int64, head []byte, err error) {
		if db.dialect == Postgres && relaxed {
			err = db.txQueryRow(ctx, tx, auditLockRelaxedPostgres).Scan(&seq, &head, new(string))
		} else {
			err = db.txQueryRow(ctx, tx, db.auditLockSQL()).Scan(&seq, &head)
		}
		return seq, head, err
	}, func(st statement) error {
		_, err := db.exec(ctx, tx, st.query, st.args...)
		return err
	})
}

// appendAuditVia is the append itself, given the transaction's way to read (and lock) the
// chain head and to run a statement.
func (db *DB) appendAuditVia(batches [][]AuditRow, readHead func() (int64, []byte, error), exec func(statement) error) error {
	n, err := db.auditReady(batches)
	if err != nil || n == 0 {
		return err
	}
	seq, head, err := readHead()
	if err != nil {
		return fmt.Errorf("audit: reading the chain head: %w", err)
	}
	plan, _, _, err := db.auditPlan(batches, n, seq, head)
	if err != nil {
		return err
	}
	db.head.ok = false // moved here, not by the pipelined path: read it again there
	for _, st := range plan {
		if err := exec(st); err != nil {
			return fmt.Errorf("audit: appending: %w", err)
		}
	}
	db.auditDone(n)
	return nil
}

// auditReady validates the rows and gives those without a time the current one; it returns
// how many there are.
func (db *DB) auditReady(batches [][]AuditRow) (int, error) {
	n := 0
	for _, rows := range batches {
		for i := range rows {
			if err := rows[i].Validate(); err != nil {
				return 0, err
			}
			if rows[i].Time.IsZero() {
				rows[i].Time = db.now()
			}
		}
		n += len(rows)
	}
	return n, nil
}

// statement is one SQL statement with its arguments.
type statement struct {
	query string
	args  []any
}

// auditPlan numbers the n rows of batches from the chain head (seq, head), chains their
// hashes, and returns the statements that insert them and move the head, and the new head. All rows go in
// with multi-row INSERTs (a few statements per batch rather than two per event): on SQLite
// each statement is a trip through the VM, on PostgreSQL a network round trip, both made
// while holding the chain head; on PostgreSQL the last INSERT also moves the head.
func (db *DB) auditPlan(batches [][]AuditRow, n int, seq int64, head []byte) ([]statement, int64, []byte, error) {
	prev := record.Genesis
	if head != nil {
		if len(head) != record.HashSize {
			return nil, 0, nil, errors.New("audit: the chain head is damaged")
		}
		copy(prev[:], head)
	}
	const cols = 6
	args := make([]any, 0, cols*n)
	for _, rows := range batches {
		for i := range rows {
			r := &rows[i]
			seq++
			r.Seq = uint64(seq)
			body := record.Append(nil, r) // kept until the insert: one buffer per event
			prev = record.Next(&prev, body)
			args = append(args, seq, r.Micros(), r.Actor, r.Action, body, append([]byte(nil), prev[:]...))
		}
	}
	if db.dialect == Postgres {
		return planRows(auditInsertRows, auditInsertMoveHead, cols, args, seq, prev[:]), seq, prev[:], nil
	}
	return append(planRows(auditInsertRows, nil, cols, args), statement{auditSetHeadSQL, []any{seq, prev[:]}}), seq, prev[:], nil
}

// auditDone counts n appended events towards the indexer's next run.
func (db *DB) auditDone(n int) {
	db.unindexed.Add(int64(n))
	db.auditAppended()
}

// rowsPerInsert bounds one multi-row INSERT (far below SQLite's 32766 parameters and
// PostgreSQL's 65535); with sizes 1, 2, 4 … rowsPerInsert, seven prepared statements per
// table serve every batch.
const rowsPerInsert = 64

// auditInsertRows[k] and auditCustomerRows[k] insert 1<<k rows at once;
// auditInsertMoveHead[k] (PostgreSQL) inserts 1<<k events and moves the chain head, its
// last two parameters.
var (
	auditInsertRows     = multiRows(auditInsertSQL, "")
	auditCustomerRows   = multiRows(auditCustomerSQL, auditCustomerConflict)
	auditInsertMoveHead = moveHead(auditInsertRows)
)

// auditLockRelaxedPostgres locks the chain head and makes the transaction's commit not
// wait for the disk, in one round trip.
const auditLockRelaxedPostgres = `SELECT seq, hash, set_config('synchronous_commit', 'off', true) FROM audit_chain_head WHERE id = 1 FOR UPDATE`

// moveHead wraps each insert in a statement that also moves the chain head.
func moveHead(inserts []string) []string {
	out := make([]string, len(inserts))
	for i, q := range inserts {
		out[i] = `WITH appended AS (` + q + ` RETURNING 1) ` + auditSetHeadSQL
	}
	return out
}

// multiRows returns insert (a single-row "INSERT … VALUES (?, …)") with its VALUES group
// repeated 1, 2, 4 … rowsPerInsert times, each followed by suffix.
func multiRows(insert, suffix string) []string {
	group := insert[strings.LastIndex(insert, "("):]
	var out []string
	for n := 1; n <= rowsPerInsert; n *= 2 {
		out = append(out, insert+strings.Repeat(", "+group, n-1)+suffix)
	}
	return out
}

// planRows splits args into cols-sized rows and returns the statements of inserts (as made
// by multiRows) that insert them, largest first. With lasts, the last statement is the
// matching one of lasts, given extra after its rows.
func planRows(inserts, lasts []string, cols int, args []any, extra ...any) []statement {
	var out []statement
	for len(args) > 0 {
		k := bits.Len(uint(min(len(args)/cols, rowsPerInsert))) - 1 // largest power of two that fits
		n := 1 << k
		if lasts != nil && n*cols == len(args) {
			return append(out, statement{lasts[k], append(args[:n*cols:n*cols], extra...)})
		}
		out = append(out, statement{inserts[k], args[:n*cols]})
		args = args[n*cols:]
	}
	return out
}

// execRows inserts every cols-sized group of args with the statements of inserts.
func (db *DB) execRows(ctx context.Context, tx *sql.Tx, inserts []string, cols int, args []any) error {
	for _, st := range planRows(inserts, nil, cols, args) {
		if _, err := db.exec(ctx, tx, st.query, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// appendAuditLite is appendAuditTx in a transaction the SQLite writer runs through
// SQLite's C API (liteWriter.transact).
func (db *DB) appendAuditLite(w *liteWriter, batches [][]AuditRow) error {
	return db.appendAuditVia(batches, func() (int64, []byte, error) {
		return w.queryHead(db.auditLockSQL())
	}, func(st statement) error {
		return w.must(st.query, st.args)
	})
}

// txQueryRow runs a query inside tx with the writer's prepared statement when there is one.
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string) *sql.Row {
	ctx = uncancelled(ctx) // as exec
	q := db.q(query)
	db.ws.mu.RLock()
	st := db.ws.m[q]
	db.ws.mu.RUnlock()
	if st == nil {
		return tx.QueryRowContext(ctx, q)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx)
}

// QueryAudit returns the events matching f, newest first, decoded from their hashed
// bodies. Limit defaults to 100 and is capped at 10000. A query with a filter first brings
// the trail's indexes up to the chain head (IndexAudit), then reads the buckets that may
// hold matching events (auditBuckets), newest first, until it has Limit events: by
// customer through the customer index, by actor, action or time through the buckets'
// summaries and the bucket's events themselves.
func (db *DB) QueryAudit(ctx context.Context, f AuditFilter) ([]AuditRow, error) {
	if err := db.syncJournal(ctx); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10000)
	filtered := f.Customer != "" || f.Actor != "" || f.Action != "" || !f.From.IsZero() || !f.To.IsZero()
	var b strings.Builder
	var args []any
	order := `e.seq`
	switch {
	case f.Customer != "":
		// The customer index first (CROSS JOIN makes SQLite keep this order whatever it
		// guesses of the tables), one bucket per query, the bucket written as the index has
		// it (migration 7) and ordered by the index's own seq, so the newest come first
		// without sorting and the LIMIT stops the read.
		b.WriteString(`SELECT e.body FROM audit_customers c CROSS JOIN audit_events e WHERE (c.seq / 16384) = ? AND c.customer_id = ? AND e.seq = c.seq`)
		args = append(args, int64(0), f.Customer) // the bucket is set per query below
		order = `c.seq`
	case filtered:
		// One bucket's seqs per query, read from the newest.
		b.WriteString(`SELECT e.body FROM audit_events e WHERE e.seq >= ? AND e.seq < ?`)
		args = append(args, int64(0), int64(0)) // set per query below
	default:
		b.WriteString(`SELECT e.body FROM audit_events e WHERE 1 = 1`)
	}
	if f.Actor != "" {
		b.WriteString(` AND e.actor = ?`)
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		b.WriteString(` AND e.action = ?`)
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		b.WriteString(` AND e.time >= ?`)
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(` AND e.time < ?`)
		args = append(args, micros(f.To))
	}
	if f.Before > 0 {
		b.WriteString(` AND ` + order + ` < ?`)
		args = append(args, int64(f.Before))
	}
	b.WriteString(` ORDER BY ` + order + ` DESC LIMIT ?`)
	args = append(args, limit)
	query := db.q(b.String())
	if !filtered {
		return db.queryAuditRows(ctx, query, args, nil)
	}
	if err := db.IndexAudit(ctx); err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	buckets, err := db.auditBuckets(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	var out []AuditRow
	for _, bucket := range buckets {
		if len(out) >= limit {
			break
		}
		if f.Customer != "" {
			args[0] = bucket
		} else {
			args[0], args[1] = bucket*auditBucket, (bucket+1)*auditBucket
		}
		args[len(args)-1] = limit - len(out)
		if out, err = db.queryAuditRows(ctx, query, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditBuckets returns the buckets that may hold events matching f, newest first, below
// f.Before: for a customer, every bucket the customer index has rows in (the index narrows
// within each); otherwise the buckets whose summaries list f's actor and action and whose
// span of times meets f's range.
func (db *DB) auditBuckets(ctx context.Context, f AuditFilter) ([]int64, error) {
	table := `audit_events`
	if f.Customer != "" {
		table = `audit_customers`
	}
	var lo, hi sql.NullInt64
	if err := db.queryRow(ctx, `SELECT (SELECT MIN(seq) FROM `+table+`), (SELECT MAX(seq) FROM `+table+`)`).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	if !lo.Valid {
		return nil, nil
	}
	top := hi.Int64
	if f.Before > 0 {
		top = min(top, int64(f.Before)-1)
	}
	if f.Customer != "" {
		var out []int64
		for bucket := top / auditBucket; bucket >= lo.Int64/auditBucket; bucket-- {
			out = append(out, bucket)
		}
		return out, nil
	}
	var lists [][]int64
	for _, key := range []string{ActorKey(f.Actor), ActionKey(f.Action)} {
		if key == ActorKey("") || key == ActionKey("") {
			continue
		}
		l, err := db.bucketList(ctx, `SELECT bucket FROM audit_bucket_keys WHERE key = ? AND bucket <= ? ORDER BY bucket DESC`, key, top/auditBucket)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := int64(math.MinInt64), int64(math.MaxInt64)
		if !f.From.IsZero() {
			from = micros(f.From)
		}
		if !f.To.IsZero() {
			to = micros(f.To)
		}
		l, err := db.bucketList(ctx, `SELECT bucket FROM audit_bucket_times WHERE last >= ? AND first < ? AND bucket <= ? ORDER BY bucket DESC`, from, to, top/auditBucket)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	// Buckets in every list, newest first.
	count := map[int64]int{}
	for _, l := range lists {
		for _, b := range l {
			count[b]++
		}
	}
	var out []int64
	for _, b := range lists[0] {
		if count[b] == len(lists) {
			out = append(out, b)
		}
	}
	return out, nil
}

// bucketList runs a query that returns bucket numbers.
func (db *DB) bucketList(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// queryAuditRows runs an audit query that selects event bodies and appends the decoded
// events to out.
func (db *DB) queryAuditRows(ctx context.Context, query string, args []any, out []AuditRow) ([]AuditRow, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	defer rows.Close()
	var body sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("audit: query: %w", err)
		}
		var r AuditRow
		if err := record.Decode(body, &r); err != nil {
			return nil, fmt.Errorf("audit: query: a stored event is damaged (run kinko audit verify): %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	return out, nil
}

// ErrCheckpointSuperseded says that a newer checkpoint than the one offered is stored and
// the chain has gone on past it: nothing to store.
var ErrCheckpointSuperseded = errors.New("audit: a newer checkpoint is stored")

// PutAuditCheckpoint stores cp. To keep the table small under steady load it keeps about
// one checkpoint per thin interval plus the newest: the previous newest checkpoint is
// dropped when it was made less than thin after the one before it. A checkpoint behind the
// newest stored one is refused: with ErrCheckpointSuperseded when the chain's head is at or
// past the stored one (another process checkpointed meanwhile), as a cut trail otherwise.
func (db *DB) PutAuditCheckpoint(ctx context.Context, cp AuditCheckpoint, thin time.Duration) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		type row struct {
			seq int64
			t   int64
		}
		rows, err := tx.QueryContext(ctx, db.q(`SELECT seq, time FROM audit_checkpoints ORDER BY seq DESC LIMIT 2`))
		if err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		var last []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.t); err != nil {
				rows.Close()
				return fmt.Errorf("audit: checkpoint: %w", err)
			}
			last = append(last, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		if len(last) > 0 && uint64(last[0].seq) >= cp.Seq {
			if uint64(last[0].seq) > cp.Seq {
				// Another process stored a newer checkpoint while this one waited for the
				// write lock (a CLI command while the server appends): the chain has gone
				// on past both, so this one is merely late. A chain whose head is behind
				// the stored checkpoint was cut.
				var head int64
				if err := tx.QueryRowContext(ctx, db.q(`SELECT seq FROM audit_chain_head WHERE id = 1`)).Scan(&head); err != nil {
					return fmt.Errorf("audit: checkpoint: %w", err)
				}
				if head >= last[0].seq {
					return ErrCheckpointSuperseded
				}
				return fmt.Errorf("audit: checkpoint at seq %d is behind the stored checkpoint at seq %d: the trail was cut", cp.Seq, last[0].seq)
			}
			return nil // already checkpointed here (another server, or no event since)
		}
		if len(last) == 2 && time.Duration(last[0].t-last[1].t)*time.Microsecond < thin {
			if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM audit_checkpoints WHERE seq = ?`), last[0].seq); err != nil {
				return fmt.Errorf("audit: checkpoint: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO audit_checkpoints (seq, hash, time, key_version, mac) VALUES (?, ?, ?, ?, ?)`),
			int64(cp.Seq), cp.Hash, micros(cp.Time), int64(cp.KeyVersion), cp.MAC)
		if err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		return nil
	})
}

// AuditCheckpoints returns the stored checkpoints in seq order.
func (db *DB) AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, hash, time, key_version, mac FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit: reading checkpoints: %w", err)
	}
	defer rows.Close()
	var out []AuditCheckpoint
	for rows.Next() {
		var seq, t, v int64
		var cp AuditCheckpoint
		if err := rows.Scan(&seq, &cp.Hash, &t, &v, &cp.MAC); err != nil {
			return nil, fmt.Errorf("audit: reading checkpoints: %w", err)
		}
		cp.Seq, cp.Time, cp.KeyVersion = uint64(seq), fromMicros(t), uint32(v)
		out = append(out, cp)
	}
	return out, rows.Err()
}
