package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

func openAuditDB(t *testing.T, b storetest.Backend) *DB {
	t.Helper()
	db, err := Open(context.Background(), b.DSN, Options{})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func auditRow(i int) AuditRow {
	return AuditRow{
		Time: time.Unix(1_700_000_000, int64(i)*1000).UTC(), Actor: fmt.Sprintf("key:key_%d", i%3), Action: []string{"read", "search", "update"}[i%3],
		Shop: "shop_1", Customers: []string{fmt.Sprintf("cus_%d", i%5)}, Fields: []string{"email"}, Outcome: "ok", RequestID: fmt.Sprintf("req_%d", i),
	}
}

// chainOf walks the stored trail and checks seq and hash continuity the way audit.Verify
// does, returning the number of events.
func chainOf(t *testing.T, db *DB) uint64 {
	t.Helper()
	x, err := db.AuditExtent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	prev := record.Genesis
	next := uint64(1)
	err = db.ScanAudit(context.Background(), 0, x.MaxSeq, func(r *AuditRaw) error {
		if uint64(r.Seq) != next {
			return fmt.Errorf("seq %d where %d was expected", r.Seq, next)
		}
		if h := record.Next(&prev, r.Body); !bytes.Equal(h[:], r.Hash) {
			return fmt.Errorf("hash of seq %d does not chain", r.Seq)
		}
		copy(prev[:], r.Hash)
		next++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if x.HeadSeq != next-1 || (x.HeadSeq > 0 && !bytes.Equal(x.HeadHash, prev[:])) {
		t.Fatalf("head at seq %d, chain ends at %d", x.HeadSeq, next-1)
	}
	return next - 1
}

func TestAuditAppendConcurrentIsGapFree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := openAuditDB(t, b)
		ctx := context.Background()
		const writers, each = 16, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					rows := []AuditRow{auditRow(w*each + i)}
					if i%10 == 0 {
						rows = append(rows, auditRow(w*each+i+1)) // several events in one append
					}
					if err := db.AppendAudit(ctx, rows); err != nil {
						errs <- err
						return
					}
					if rows[0].Seq == 0 {
						errs <- errors.New("AppendAudit did not set Seq")
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := chainOf(t, db); n != writers*each+writers*each/10 {
			t.Fatalf("%d events in the chain, want %d", n, writers*each+writers*each/10)
		}
	})
}

// An event appended inside a write that fails is rolled back with it: the action and its
// record stand or fall together (fail closed).
func TestAuditAppendTxRollsBackWithTheWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := openAuditDB(t, b)
		ctx := context.Background()
		if err := db.AppendAudit(ctx, []AuditRow{auditRow(1)}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("the customer write failed")
		err := db.write(ctx, func(tx *sql.Tx) error {
			if err := db.appendAuditTx(ctx, tx, false, []AuditRow{auditRow(2), auditRow(3)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v", err)
		}
		if n := chainOf(t, db); n != 1 {
			t.Fatalf("%d events after a rolled-back write, want 1", n)
		}
		// And the chain goes on from where it was.
		err = db.write(ctx, func(tx *sql.Tx) error { return db.appendAuditTx(ctx, tx, false, []AuditRow{auditRow(4)}) })
		if err != nil {
			t.Fatal(err)
		}
		if n := chainOf(t, db); n != 2 {
			t.Fatalf("%d events, want 2", n)
		}
		// An invalid event fails the append and so the write.
		bad := auditRow(5)
		bad.Actor = ""
		if err := db.AppendAudit(ctx, []AuditRow{bad}); err == nil {
			t.Fatal("an event without an actor was appended")
		}
	})
}

func TestAuditQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := openAuditDB(t, b)
		ctx := context.Background()
		var rows []AuditRow
		for i := range 30 {
			rows = append(rows, auditRow(i))
		}
		rows[7].Customers = []string{"cus_x", "cus_y", "cus_x"} // a search naming several, one twice
		if err := db.AppendAudit(ctx, rows); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    AuditFilter
			want []uint64
		}{
			{"customer", AuditFilter{Customer: "cus_1"}, []uint64{27, 22, 17, 12, 7, 2}},
			{"customer named with others", AuditFilter{Customer: "cus_y"}, []uint64{8}},
			{"actor and action", AuditFilter{Actor: "key:key_1", Action: "search", Limit: 3}, []uint64{29, 26, 23}},
			{"time range", AuditFilter{From: time.Unix(1_700_000_000, 5000), To: time.Unix(1_700_000_000, 8000)}, []uint64{8, 7, 6}},
			{"before", AuditFilter{Before: 3}, []uint64{2, 1}},
			{"nothing", AuditFilter{Actor: "staff:nobody"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if seqs := querySeqs(t, db, tc.f); seqs != fmt.Sprint(tc.want) {
					t.Fatalf("seqs %v, want %v", seqs, tc.want)
				}
			})
		}
		got, _ := db.QueryAudit(ctx, AuditFilter{Customer: "cus_x"})
		if len(got) != 1 || fmt.Sprint(got[0].Customers) != "[cus_x cus_y cus_x]" || got[0].RequestID != "req_7" {
			t.Fatal("the queried event does not decode to what was appended")
		}
	})
}

func TestAuditCheckpointsThinAndRefuseGoingBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := openAuditDB(t, b)
		ctx := context.Background()
		t0 := time.Unix(1_700_000_000, 0).UTC()
		put := func(seq uint64, at time.Duration) error {
			return db.PutAuditCheckpoint(ctx, AuditCheckpoint{Seq: seq, Hash: make([]byte, 32), Time: t0.Add(at), KeyVersion: 1, MAC: make([]byte, 32)}, time.Hour)
		}
		for i, at := range []time.Duration{0, time.Minute, 2 * time.Minute, 61 * time.Minute, 62 * time.Minute} {
			if err := put(uint64(10*(i+1)), at); err != nil {
				t.Fatal(err)
			}
		}
		cps, err := db.AuditCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []uint64
		for _, c := range cps {
			seqs = append(seqs, c.Seq)
		}
		// 20 and 30 were each made within the hour after the one kept before them; 40 (an
		// hour after 10) stays.
		if fmt.Sprint(seqs) != "[10 40 50]" {
			t.Fatalf("kept checkpoints %v, want [10 40 50]", seqs)
		}
		if err := put(40, 63*time.Minute); err == nil {
			t.Fatal("a checkpoint behind the newest one was accepted")
		}
		if err := put(50, 63*time.Minute); err != nil {
			t.Fatalf("repeating the newest checkpoint: %v", err)
		}
	})
}

// The writer appends the events of every write batched into one transaction in one go, in
// the order of the writes (multi-row inserts in chunks); a batch with a failing write is
// retried write by write, and each write stands or falls with its own events.
func TestAuditEventsOfABatchAppendedTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := openAuditDB(t, b)
		ctx := context.Background()
		if err := db.CreateShop(ctx, Shop{ID: "shop_1", Name: "s", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		insert := func(id string, events ...AuditRow) *writeOp {
			now := time.Now().UTC()
			c := Customer{Shop: "shop_1", ID: id, Revision: 1, Created: now, Updated: now, KeyVersion: 1, DEKVersion: 1, WrappedDEK: []byte("dek")}
			args := []any{c.ID, c.Shop, 0, c.Revision, micros(c.Created), micros(c.Updated), c.KeyVersion, c.DEKVersion, c.WrappedDEK}
			for _, f := range c.Sealed {
				args = append(args, f)
			}
			args = append(args, indexArgs(nil)...)
			return &writeOp{ctx: ctx, done: make(chan error, 1), fn: func(tx *sql.Tx) ([]AuditRow, error) {
				if _, err := db.exec(ctx, tx, insertCustomerSQL, args...); err != nil {
					return nil, err
				}
				return events, nil
			}}
		}
		appendOnly := func(events []AuditRow) *writeOp {
			return &writeOp{ctx: ctx, done: make(chan error, 1), fn: func(*sql.Tx) ([]AuditRow, error) { return events, nil }}
		}
		// 100 events naming two customers (one twice): chunks of 64, 32 and 4 rows, and
		// 200 customer-index rows (written by the indexer) in chunks of 64.
		var many []AuditRow
		for i := range 100 {
			r := auditRow(1000 + i)
			r.Customers = []string{"cus_b", fmt.Sprintf("cus_%03d", i), "cus_b"}
			many = append(many, r)
		}
		first, last := auditRow(1), auditRow(2)
		first.Customers, last.Customers = []string{"cus_first"}, []string{"cus_last"}
		batch := []*writeOp{insert("cus_first", first), appendOnly(many), insert("cus_last", last)}
		db.writer.run(batch)
		for i, op := range batch {
			if err := <-op.done; err != nil {
				t.Fatalf("write %d of the batch: %v", i, err)
			}
		}
		if n := chainOf(t, db); n != 102 {
			t.Fatalf("%d events in the chain, want 102", n)
		}
		for i, r := range many {
			if r.Seq != uint64(2+i) {
				t.Fatalf("event %d of the batch has seq %d, want %d (write order)", i, r.Seq, 2+i)
			}
		}
		// The indexer writes the customer index behind the trail; bring it up to the head.
		if err := db.IndexAudit(ctx); err != nil {
			t.Fatal(err)
		}
		index := map[uint64][]string{}
		err := db.ScanAuditCustomers(ctx, 0, 1000, func(seq uint64, id []byte) error {
			index[seq] = append(index[seq], string(id))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint64][]string{1: {"cus_first"}, 102: {"cus_last"}}
		for i := range 100 {
			want[uint64(2+i)] = []string{"cus_b", fmt.Sprintf("cus_%03d", i)}
			if fmt.Sprintf("cus_%03d", i) < "cus_b" {
				want[uint64(2+i)] = []string{fmt.Sprintf("cus_%03d", i), "cus_b"}
			}
		}
		if fmt.Sprint(index) != fmt.Sprint(want) {
			t.Fatalf("customer index\n%v\nwant\n%v", index, want)
		}

		// A batch with a bad event and a duplicate customer: the good write and its event
		// go in alone; the others fail with nothing of theirs stored.
		bad := auditRow(3)
		bad.Actor = ""
		good := auditRow(4)
		good.Customers = []string{"cus_good"}
		batch = []*writeOp{insert("cus_good", good), appendOnly([]AuditRow{bad}), insert("cus_first", auditRow(5))}
		db.writer.run(batch)
		for i, op := range batch {
			if err := <-op.done; (err == nil) != (i == 0) {
				t.Fatalf("write %d of the failing batch: %v", i, err)
			}
		}
		if n := chainOf(t, db); n != 103 {
			t.Fatalf("%d events in the chain, want 103", n)
		}
		got, err := db.QueryAudit(ctx, AuditFilter{Customer: "cus_good"})
		if err != nil || len(got) != 1 || got[0].Seq != 103 {
			t.Fatalf("the good write's event: %v %v", got, err)
		}
		if _, err := db.Customer(ctx, "shop_1", "cus_good"); err != nil {
			t.Fatal(err)
		}
	})
}

// Migration 7 moves a trail whose customer index was written with its events (schema 6)
// to the index written behind the trail: every row kept, every event counted as indexed.
func TestAuditIndexMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		// A database at schema 6 and a trail of 30 events as that version wrote it.
		old := &DB{now: time.Now}
		var err error
		if b.Name == "sqlite" {
			err = old.openSQLite(b.DSN)
		} else {
			err = old.openPostgres(b.DSN)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := old.migrate(ctx, 6); err != nil {
			t.Fatal(err)
		}
		prev := record.Genesis
		for i := 1; i <= 30; i++ {
			r := auditRow(i)
			r.Seq = uint64(i)
			body := record.Append(nil, &r)
			prev = record.Next(&prev, body)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (?, ?, ?, ?, ?, ?)`, []any{i, r.Micros(), r.Actor, r.Action, body, prev[:]}},
				{`INSERT INTO audit_customers (seq, customer_id) VALUES (?, ?)`, []any{i, r.Customers[0]}},
				{auditSetHeadSQL, []any{i, prev[:]}},
			} {
				if _, err := old.w.ExecContext(ctx, old.q(q.sql), q.args...); err != nil {
					t.Fatal(err)
				}
			}
		}
		old.Close()

		db := openAuditDB(t, b)
		if v, err := db.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("schema version %d (%v), want %d", v, err, len(migrations))
		}
		if n := chainOf(t, db); n != 30 {
			t.Fatalf("%d events after the migration, want 30", n)
		}
		x, err := db.AuditExtent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if x.Indexed != 30 {
			t.Fatalf("indexed up to %d, want 30", x.Indexed)
		}
		n := 0
		if err := db.ScanAuditCustomers(ctx, 0, 30, func(uint64, []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 30 {
			t.Fatalf("%d customer-index rows after the migration, want 30", n)
		}
		if seqs := querySeqs(t, db, AuditFilter{Customer: "cus_1"}); seqs != "[26 21 16 11 6 1]" {
			t.Fatalf("events naming cus_1: %v, want [26 21 16 11 6 1]", seqs)
		}
		// The buckets' summaries are built from the events: queries by actor, action and
		// time find what the indexes of schema 6 found.
		for _, q := range []struct {
			f    AuditFilter
			want string
		}{
			{AuditFilter{Actor: "key:key_1", Action: "search"}, "[28 25 22 19 16 13 10 7 4 1]"},
			{AuditFilter{Action: "update", Limit: 3}, "[29 26 23]"},
			{AuditFilter{From: time.Unix(1_700_000_000, 5000), To: time.Unix(1_700_000_000, 8000)}, "[7 6 5]"},
		} {
			if seqs := querySeqs(t, db, q.f); seqs != q.want {
				t.Fatalf("%+v: %v, want %s", q.f, seqs, q.want)
			}
		}
	})
}

// An append that fails half-way (here: a row put behind kinko's back where the next event
// goes) leaves nothing of itself, and the next append works (on PostgreSQL through the
// pipelined path, on a fresh connection).
func TestAuditAppendFailsCleanly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		// Read events straight into audit_events (the journal's own failures are
		// TestAuditJournalFailsClosed's).
		db, err := Open(ctx, b.DSN, Options{NoAuditJournal: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(1), auditRow(2)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, db.q(`INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (4, 0, 'x', 'x', ?, ?)`), []byte("x"), []byte("x")); err != nil {
			t.Fatal(err)
		}
		for _, relaxed := range []bool{true, false} {
			rows := []AuditRow{auditRow(3), auditRow(4)}
			var err error
			if relaxed {
				err = db.AppendAuditRelaxed(ctx, rows)
			} else {
				err = db.AppendAudit(ctx, rows)
			}
			if err == nil {
				t.Fatalf("relaxed %v: an append onto a taken seq succeeded", relaxed)
			}
		}
		if _, err := db.w.ExecContext(ctx, `DELETE FROM audit_events WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		if n := chainOf(t, db); n != 2 {
			t.Fatalf("%d events after the failed appends, want 2", n)
		}
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(3), auditRow(4)}); err != nil {
			t.Fatal(err)
		}
		if err := db.AppendAudit(ctx, []AuditRow{auditRow(5)}); err != nil {
			t.Fatal(err)
		}
		if n := chainOf(t, db); n != 5 {
			t.Fatalf("%d events, want 5", n)
		}
	})
}

// Creates written together (on PostgreSQL pipelined in one transaction) with one among
// them that cannot be (its id is taken): that one fails alone, with no event of its own;
// the others and their events are stored.
func TestCreatesBatchedWithAFailingOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := openAuditDB(t, b)
		if err := db.CreateShop(ctx, Shop{ID: "shop_1", Name: "one", KeyVersion: 1, WrappedKey: []byte("k"), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		customer := func(id string) Customer {
			now := time.Now().UTC()
			return Customer{Shop: "shop_1", ID: id, Revision: 1, Created: now, Updated: now, KeyVersion: 1, DEKVersion: 1, WrappedDEK: []byte("dek")}
		}
		created := func(id string) AuditRow {
			return AuditRow{Actor: "key:k", Action: "create", Shop: "shop_1", Customers: []string{id}, Outcome: "ok"}
		}
		if err := db.InsertCustomer(ctx, customer("cus_taken"), nil, created("cus_taken")); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("cus_%02d", i)
				if i == 20 {
					id = "cus_taken"
				}
				errs[i] = db.InsertCustomer(ctx, customer(id), nil, created(id))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == 20) {
				t.Fatalf("create %d: %v", i, err)
			}
		}
		if n := chainOf(t, db); n != 40 {
			t.Fatalf("%d events, want 40 (the first create and the 39 that worked)", n)
		}
		for i := range errs {
			if _, err := db.Customer(ctx, "shop_1", fmt.Sprintf("cus_%02d", i)); (err != nil) != (i == 20) {
				t.Fatalf("customer %d: %v", i, err)
			}
		}
	})
}

// Two servers (or a server and a kinko command) append to one trail in turn: each one's
// idea of the chain head goes stale when the other appends, and the chain still comes out
// whole, in order (on PostgreSQL the writer's remembered head makes a batch fail on the
// other's seqs and run again under the head's lock).
func TestTwoWritersShareTheChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		one := openAuditDB(t, b)
		two := openAuditDB(t, b)
		for i := range 10 {
			w := one
			if i%3 == 2 {
				w = two
			}
			if err := w.AppendAuditRelaxed(ctx, []AuditRow{auditRow(2 * i), auditRow(2*i + 1)}); err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			if err := w.AppendAudit(ctx, []AuditRow{auditRow(100 + i)}); err != nil {
				t.Fatalf("durable append %d: %v", i, err)
			}
		}
		if n := chainOf(t, one); n != 30 {
			t.Fatalf("%d events, want 30", n)
		}
	})
}

// Queries by actor, action and time over a trail of several buckets (16,384 events each)
// read the buckets their summaries name, newest first, and page with Before across them.
func TestAuditQueryAcrossBuckets(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 40,000 events")
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := openAuditDB(t, b)
		t0 := time.Unix(1_700_000_000, 0).UTC()
		const n = 40000
		rare := map[int]bool{5: true, 30000: true} // seqs of the rare actor's reveals
		var rows []AuditRow
		for seq := 1; seq <= n; seq++ {
			r := AuditRow{Time: t0.Add(time.Duration(seq) * time.Millisecond), Actor: "key:bulk", Action: "read", Shop: "shop_1", Customers: []string{"cus_1"}, Outcome: "ok"}
			if rare[seq] {
				r.Actor, r.Action = "staff:rare", "reveal"
			}
			rows = append(rows, r)
			if len(rows) == 500 {
				if err := db.AppendAuditRelaxed(ctx, rows); err != nil {
					t.Fatal(err)
				}
				rows = nil
			}
		}
		for _, q := range []struct {
			f    AuditFilter
			want string
		}{
			{AuditFilter{Actor: "staff:rare"}, "[30000 5]"},
			{AuditFilter{Action: "reveal", Before: 30000}, "[5]"},
			{AuditFilter{Actor: "key:bulk", Action: "reveal"}, "[]"},
			{AuditFilter{From: t0.Add(20000 * time.Millisecond), To: t0.Add(20003 * time.Millisecond)}, "[20002 20001 20000]"},
			{AuditFilter{Actor: "key:bulk", Before: 16386, Limit: 3}, "[16385 16384 16383]"},
			{AuditFilter{Customer: "cus_1", Before: 32769, Limit: 2}, "[32768 32767]"},
		} {
			if got := querySeqs(t, db, q.f); got != q.want {
				t.Errorf("%+v: %s, want %s", q.f, got, q.want)
			}
		}
	})
}

// querySeqs runs QueryAudit and returns the seqs of what it found, as fmt prints them.
func querySeqs(t *testing.T, db *DB, f AuditFilter) string {
	t.Helper()
	got, err := db.QueryAudit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]uint64, 0, len(got))
	for _, r := range got {
		seqs = append(seqs, r.Seq)
	}
	return fmt.Sprint(seqs)
}

// A checkpoint made before another process stored a newer one (a CLI command waiting for
// the write lock while the server appends and checkpoints) is superseded, not a cut trail;
// one behind the stored checkpoint while the chain's head is behind it too is a cut.
func TestAuditCheckpointSupersededOrCut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := openAuditDB(t, b)
		for i := 1; i <= 30; i++ {
			if err := db.AppendAudit(ctx, []AuditRow{auditRow(i)}); err != nil {
				t.Fatal(err)
			}
		}
		cp := func(seq uint64) AuditCheckpoint {
			return AuditCheckpoint{Seq: seq, Hash: make([]byte, 32), Time: time.Now(), KeyVersion: 1, MAC: []byte("mac")}
		}
		if err := db.PutAuditCheckpoint(ctx, cp(20), 0); err != nil {
			t.Fatal(err)
		}
		if err := db.PutAuditCheckpoint(ctx, cp(10), 0); !errors.Is(err, ErrCheckpointSuperseded) {
			t.Fatalf("an older checkpoint while the chain is at 30: %v, want ErrCheckpointSuperseded", err)
		}
		if err := db.PutAuditCheckpoint(ctx, cp(20), 0); err != nil {
			t.Fatalf("the same checkpoint again: %v", err)
		}
		// Cut the chain back to 15, as someone deleting the newest events would.
		if _, err := db.w.ExecContext(ctx, db.q(`UPDATE audit_chain_head SET seq = 15 WHERE id = 1`)); err != nil {
			t.Fatal(err)
		}
		err := db.PutAuditCheckpoint(ctx, cp(15), 0)
		if err == nil || errors.Is(err, ErrCheckpointSuperseded) || !strings.Contains(err.Error(), "the trail was cut") {
			t.Fatalf("a checkpoint behind the stored one on a cut chain: %v", err)
		}
	})
}
