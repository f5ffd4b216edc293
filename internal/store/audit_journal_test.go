package store

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// journaled is a backend with the journal's file: beside the SQLite database, or in a
// temporary folder as a PostgreSQL server's data folder.
type journaled struct {
	storetest.Backend
	path string
}

func journalBackend(t *testing.T, b storetest.Backend) journaled {
	if b.File != "" {
		return journaled{b, b.File + journalSuffix}
	}
	return journaled{b, b.Journal}
}

func (jb journaled) open(t *testing.T) *DB {
	t.Helper()
	opt := Options{}
	if jb.File == "" {
		opt.AuditJournal = jb.path
	}
	db, err := Open(context.Background(), jb.DSN, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The trail through the journal: read events and the events of changes end up in
// audit_events in the order they were recorded, chained and indexed, and queries see
// them at once.
func TestAuditJournalKeepsOrder(t *testing.T) {
	storetest.Each(t, testAuditJournalKeepsOrder)
}

func testAuditJournalKeepsOrder(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	db := journalBackend(t, b).open(t)
	if db.writer.journal == nil {
		t.Fatal("no journal where this process owns one")
	}
	var want []string
	for i := 1; i <= 30; i++ {
		r := auditRow(i)
		var err error
		if i%10 == 0 {
			err = db.AppendAudit(ctx, []AuditRow{r})
		} else {
			err = db.AppendAuditRelaxed(ctx, []AuditRow{r})
		}
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r.RequestID)
	}
	if n := chainOf(t, db); n != 30 {
		t.Fatalf("%d events in the chain, want 30", n)
	}
	got, err := db.QueryAudit(ctx, AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.RequestID)
	}
	slices.Reverse(ids)
	if !slices.Equal(ids, want) {
		t.Fatalf("events in the order %v, want %v", ids, want)
	}
	// Indexed too: "who saw cus_1" finds each event naming it.
	byCustomer, err := db.QueryAudit(ctx, AuditFilter{Customer: "cus_1", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(byCustomer) != 6 {
		t.Fatalf("%d events for cus_1, want 6", len(byCustomer))
	}
	if db.writer.journal.queued.Load() != 0 {
		t.Fatal("events still pending after a query")
	}
}

// Many readers at once: every event in, once, chained.
func TestAuditJournalConcurrentReads(t *testing.T) {
	storetest.Each(t, testAuditJournalConcurrentReads)
}

func testAuditJournalConcurrentReads(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	db := journalBackend(t, b).open(t)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(w*1000 + i)}); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 49 {
					// Moved in all the while (as queries would): the journal's files
					// take turns under the other readers' appends.
					if err := db.syncJournal(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := chainOf(t, db); n != 3200 {
		t.Fatalf("%d events, want 3200", n)
	}
	if err := db.IndexAudit(ctx); err != nil {
		t.Fatal(err)
	}
	var done int64
	if err := db.r.QueryRowContext(ctx, db.q(auditProgressSQL)).Scan(&done); err != nil || done != 3200 {
		t.Fatalf("index progress %d (%v), want 3200", done, err)
	}
}

// writeJournal writes events to the journal at path as a process that stopped before
// moving them in would have left them, starting after record mark.
func writeJournal(t *testing.T, path string, mark uint64, rows ...AuditRow) {
	t.Helper()
	j, err := openJournal(path, func(string) (uint64, error) { return mark, nil }, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if err := j.append(rows); err != nil {
		t.Fatal(err)
	}
}

// A process that stopped (or crashed) with events in its journal: the next open moves
// them in, after what was already there, drops a torn last record, and never moves a
// record in twice.
func TestAuditJournalRecovery(t *testing.T) {
	storetest.Each(t, testAuditJournalRecovery)
}

func testAuditJournalRecovery(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	jb := journalBackend(t, b)
	db := jb.open(t)
	if err := db.AppendAudit(ctx, []AuditRow{auditRow(1)}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	jpath := jb.path
	os.Remove(jpath) // a journal of a new name, to be read with mark 0
	writeJournal(t, jpath, 0, auditRow(2), auditRow(3), auditRow(4))
	left, err := os.ReadFile(jpath)
	if err != nil || len(left) == 0 {
		t.Fatalf("journal %d bytes (%v)", len(left), err)
	}
	// A torn record after them: a crash inside write(2).
	f, err := os.OpenFile(jpath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(left[:journalHeader+5])
	f.Close()

	db = jb.open(t)
	if n := chainOf(t, db); n != 4 {
		t.Fatalf("%d events after recovery, want 4", n)
	}
	evs, err := db.QueryAudit(ctx, AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].RequestID != "req_4" || evs[3].RequestID != "req_1" {
		t.Fatalf("events out of order after recovery: newest %s, oldest %s", evs[0].RequestID, evs[3].RequestID)
	}
	if st, err := os.Stat(jpath); err != nil || st.Size() != journalFileHeader {
		t.Fatalf("journal not emptied after recovery: %v %v", st, err)
	}
	db.Close()

	// The same records again, as if the crash came between the commit that moved them in
	// and the truncation: the mark says they are in.
	if err := os.WriteFile(jpath, left, 0o600); err != nil {
		t.Fatal(err)
	}
	writeJournal(t, jpath, 3, auditRow(5)) // record 4, after the three
	db = jb.open(t)
	if n := chainOf(t, db); n != 5 {
		t.Fatalf("%d events after a second recovery, want 5 (records moved in twice?)", n)
	}
}

// Two processes on one database (here two DBs in one process): one owns the journal, the
// other appends directly; the trail stays one chain.
func TestAuditJournalOneOwner(t *testing.T) {
	storetest.Each(t, testAuditJournalOneOwner)
}

func testAuditJournalOneOwner(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	jb := journalBackend(t, b)
	a := jb.open(t)
	c := jb.open(t)
	if a.writer.journal == nil || c.writer.journal != nil {
		t.Fatalf("journal owners: first %v, second %v; want only the first", a.writer.journal != nil, c.writer.journal != nil)
	}
	for i := range 20 {
		db := a
		if i%2 == 1 {
			db = c
		}
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := chainOf(t, a); n != 20 {
		t.Fatalf("%d events, want 20", n)
	}
}

// Fail closed: a read event the journal cannot take is refused and leaves nothing behind;
// events the database cannot take yet stay in the journal, in order, until it can.
func TestAuditJournalFailsClosed(t *testing.T) {
	storetest.Each(t, testAuditJournalFailsClosed)
}

func testAuditJournalFailsClosed(t *testing.T, b storetest.Backend) {
	ctx := context.Background()
	db := journalBackend(t, b).open(t)
	if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(1)}); err != nil {
		t.Fatal(err)
	}
	if n := chainOf(t, db); n != 1 { // also moves the journal in: nothing pending
		t.Fatalf("%d events, want 1", n)
	}

	// The journal cannot be written: the read is refused.
	j := db.writer.journal
	j.mu.Lock()
	j.failWrite = errors.New("disk full")
	j.mu.Unlock()
	if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(2)}); err == nil {
		t.Fatal("a read event the journal could not take was accepted")
	}
	j.mu.Lock()
	j.failWrite = nil
	size := j.files[j.cur].size
	j.mu.Unlock()
	if size != journalFileHeader {
		t.Fatalf("journal holds %d bytes after a refused read", size)
	}
	if n := chainOf(t, db); n != 1 {
		t.Fatalf("%d events after a refused read, want 1", n)
	}

	// The database refuses the events (a row in the way): reads are still recorded, in the
	// journal; changes are refused; once the way is clear every event goes in, in order.
	if _, err := db.w.ExecContext(ctx, db.q(`INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (3, 0, 'x', 'x', ?, ?)`), []byte{0}, []byte{0}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 4; i++ {
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AppendAudit(ctx, []AuditRow{auditRow(5)}); err == nil {
		t.Fatal("a change was recorded while the journal's events could not go in before it")
	}
	if _, err := db.QueryAudit(ctx, AuditFilter{Limit: 10}); err == nil {
		t.Fatal("a query answered without the journal's events")
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM audit_events WHERE seq = 3 AND actor = 'x'`); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, []AuditRow{auditRow(5)}); err != nil {
		t.Fatal(err)
	}
	if n := chainOf(t, db); n != 5 {
		t.Fatalf("%d events, want 5", n)
	}
	evs, err := db.QueryAudit(ctx, AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		if want := auditRow(5 - i).RequestID; e.RequestID != want {
			t.Fatalf("event %d is %s, want %s", i, e.RequestID, want)
		}
	}
}

// While the database refuses the journal's events, reads are recorded in the journal up
// to journalMaxPending events and then refused (fail closed); once it takes them again,
// every one goes in.
func TestAuditJournalFull(t *testing.T) {
	ctx := context.Background()
	db := journalBackend(t, storetest.SQLite(t)).open(t)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (1, 0, 'x', 'x', x'00', x'00')`); err != nil {
		t.Fatal(err)
	}
	var refused error
	n := 0
	for ; n < journalMaxPending+10; n++ {
		if refused = db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(n)}); refused != nil {
			break
		}
	}
	if !errors.Is(refused, errJournalFull) || n != journalMaxPending {
		t.Fatalf("after %d reads: %v; want the journal full after %d", n, refused, journalMaxPending)
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM audit_events WHERE seq = 1 AND actor = 'x'`); err != nil {
		t.Fatal(err)
	}
	if got := chainOf(t, db); got != uint64(journalMaxPending) {
		t.Fatalf("%d events, want %d", got, journalMaxPending)
	}
	if err := db.AppendAuditRelaxed(ctx, []AuditRow{auditRow(1)}); err != nil {
		t.Fatalf("a read after the journal emptied: %v", err)
	}
}
