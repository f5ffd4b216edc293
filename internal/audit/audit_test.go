package audit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

type fixture struct {
	b     storetest.Backend
	db    *store.DB
	kr    *keyring.Keyring
	cpath string
	raw   *sql.DB
}

func newFixture(t testing.TB, b storetest.Backend) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, b.DSN, store.Options{AuditJournal: b.Journal})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	dir := t.TempDir()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	driver, dsn := "pgx", b.DSN
	if b.Name == "sqlite" {
		driver, dsn = "sqlite", "file:"+b.File+"?_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return &fixture{b: b, db: db, kr: kr, cpath: CheckpointPath(kr.Path()), raw: raw}
}

// exec runs raw SQL the way someone with access to the database would (? placeholders).
func (f *fixture) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if f.b.Name == "postgres" {
		n := 0
		q = rewrite(q, func() string { n++; return fmt.Sprintf("$%d", n) })
	}
	if _, err := f.raw.Exec(q, args...); err != nil {
		t.Fatalf("tampering: %v", err)
	}
}

func rewrite(q string, ph func() string) string {
	var b strings.Builder
	for _, c := range q {
		if c == '?' {
			b.WriteString(ph())
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

var t0 = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

// event is built from fake ids only.
func event(i int) Event {
	return Event{
		Time: t0.Add(time.Duration(i) * time.Millisecond), Actor: fmt.Sprintf("staff:stf_%03d", i%7), ActorIP: "192.0.2.10",
		Action: []string{ActionRead, ActionSearch, ActionReveal}[i%3], Shop: "shp_main",
		Customers: []string{fmt.Sprintf("cus_%04d", i%11)}, Fields: []string{"email", "phone"},
		Reason: "order inquiry 1234", Outcome: OK, RequestID: fmt.Sprintf("req_%06d", i),
	}
}

// fill appends n events through a trail, checkpointing at each seq in at, and closes it.
func (f *fixture) fill(t testing.TB, n int, at ...uint64) {
	t.Helper()
	ctx := context.Background()
	tr, err := Open(ctx, f.db, f.kr, f.cpath, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := tr.Append(ctx, event(i)); err != nil {
			t.Fatal(err)
		}
		for _, s := range at {
			if uint64(i) == s {
				if _, err := tr.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	// As a running server's indexer would have by now: the customer index up to the head.
	if err := f.db.IndexAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// querySeqs runs Query and returns the seqs of what it found, as fmt prints them.
func (f *fixture) querySeqs(t testing.TB, q Filter) string {
	t.Helper()
	evs, err := Query(context.Background(), f.db, q)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]uint64, 0, len(evs))
	for _, e := range evs {
		seqs = append(seqs, e.Seq)
	}
	return fmt.Sprint(seqs)
}

// append appends events i..j through a trail without waiting for the indexer.
func (f *fixture) append(t testing.TB, i, j int) {
	t.Helper()
	ctx := context.Background()
	tr, err := Open(ctx, f.db, f.kr, f.cpath, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	for ; i <= j; i++ {
		if err := tr.Append(ctx, event(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verify(t testing.TB) *Report {
	t.Helper()
	rep, err := Verify(context.Background(), f.db, f.kr, f.cpath)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func TestIntactTrailVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		ctx := context.Background()
		tr, err := Open(ctx, f.db, f.kr, f.cpath, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Concurrent appenders: the chain must come out gap-free and in commit order.
		const writers, each = 8, 400
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := tr.Append(ctx, event(w*each+i)); err != nil {
						errs <- err
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
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
		rep := f.verify(t)
		if rep.Problem != nil {
			t.Fatalf("intact trail: %v", rep.Problem)
		}
		if rep.Events != writers*each || rep.Checkpoint == nil || rep.Checkpoint.Seq != writers*each || rep.CheckpointSource != "database and file" || rep.Unsigned != 0 {
			t.Fatalf("report: %d events, checkpoint %+v from %q, %d unsigned", rep.Events, rep.Checkpoint, rep.CheckpointSource, rep.Unsigned)
		}
		fi, err := os.Stat(f.cpath)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("checkpoint file: %v", err)
		}
	})
}

// Verification reads in pages and parallel ranges: an intact trail longer than several
// pages verifies, and an edit deep inside a later range is found at its seq.
func TestLongTrailAcrossRanges(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	n := 5*verifyPage + 123
	batch := make([]Event, 0, 4096)
	for i := 1; i <= n; i++ {
		batch = append(batch, event(i))
		if len(batch) == cap(batch) || i == n {
			if err := f.db.AppendAudit(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	f.fill(t, 0)
	if rep := f.verify(t); rep.Problem != nil || rep.Events != uint64(n) {
		t.Fatalf("intact: %v, %d events", rep.Problem, rep.Events)
	}
	bad := uint64(4*verifyPage + 77)
	f.exec(t, `UPDATE audit_events SET action = 'update' WHERE seq = ?`, bad)
	if rep := f.verify(t); rep.Problem == nil || rep.Problem.Seq != bad || rep.Problem.Kind != KindEdited {
		t.Fatalf("edit at %d: %v", bad, rep.Problem)
	}
}

func TestTamperingIsCaught(t *testing.T) {
	const n = 40
	tests := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		seq    uint64
		kind   Kind
	}{
		{"edited time column", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_events SET time = time + 1 WHERE seq = 4`)
		}, 4, KindEdited},
		{"edited actor column", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_events SET actor = 'staff:someone_else' WHERE seq = 4`)
		}, 4, KindEdited},
		{"edited body (reason)", func(t *testing.T, f *fixture) {
			body := f.body(t, 4)
			i := strings.Index(string(body), "order inquiry")
			body[i] = 'O'
			f.exec(t, `UPDATE audit_events SET body = ? WHERE seq = 4`, body)
		}, 4, KindEdited},
		{"edited hash", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_events SET hash = ? WHERE seq = 4`, make([]byte, 32))
		}, 4, KindEdited},
		{"deleted event", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_events WHERE seq = 4`)
		}, 4, KindMissing},
		{"swapped events", func(t *testing.T, f *fixture) {
			b4, b5 := f.body(t, 4), f.body(t, 5)
			f.exec(t, `UPDATE audit_events SET body = ? WHERE seq = 4`, b5)
			f.exec(t, `UPDATE audit_events SET body = ? WHERE seq = 5`, b4)
		}, 4, KindReordered},
		{"customer index row deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_customers WHERE seq = 9`)
		}, 9, KindIndex},
		{"customer index row added", func(t *testing.T, f *fixture) {
			f.exec(t, `INSERT INTO audit_customers (seq, customer_id) VALUES (6, 'cus_other')`)
		}, 6, KindIndex},
		{"an actor taken out of its bucket's summary", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_bucket_keys WHERE key = 'actor:staff:stf_003'`)
		}, 3, KindIndex},
		{"an action taken out of its bucket's summary", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_bucket_keys WHERE key = 'action:reveal'`)
		}, 2, KindIndex},
		{"a bucket's span of times shortened", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE audit_bucket_times SET last = first`)
		}, 2, KindIndex},
		{"customer index rows deleted and the index's mark moved past them", func(t *testing.T, f *fixture) {
			// Events appended after the mark was pushed ahead are never indexed: verification
			// holds every event up to the mark to its rows.
			f.exec(t, `UPDATE audit_index_progress SET seq = 1000`)
			f.append(t, n+1, n+5)
		}, n + 1, KindIndex},
		{"tail cut", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_events WHERE seq > 37`)
		}, 38, KindTailCut},
		{"tail cut with head and database checkpoints rewound", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_events WHERE seq > 37`)
			f.exec(t, `DELETE FROM audit_customers WHERE seq > 37`)
			f.exec(t, `DELETE FROM audit_checkpoints WHERE seq > 37`)
			f.exec(t, `UPDATE audit_chain_head SET seq = 37, hash = (SELECT hash FROM audit_events WHERE seq = 37)`)
		}, 38, KindTailCut}, // the checkpoint file still says 40
		{"event inserted in the middle, chain recomputed", func(t *testing.T, f *fixture) {
			f.rewrite(t, func(evs []Event) []Event {
				forged := event(999)
				return append(evs[:25:25], append([]Event{forged}, evs[25:]...)...)
			})
		}, 21, KindCheckpoint}, // the checkpoint at 20 still matches; the one at 40 does not
		{"event appended beyond the head", func(t *testing.T, f *fixture) {
			var prev [32]byte
			copy(prev[:], f.hash(t, n))
			e := event(41)
			e.Seq = n + 1
			body := record.Append(nil, &e)
			h := record.Next(&prev, body)
			f.exec(t, `INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (?, ?, ?, ?, ?, ?)`, e.Seq, e.Micros(), e.Actor, e.Action, body, h[:])
			f.exec(t, `INSERT INTO audit_customers (seq, customer_id) VALUES (?, ?)`, e.Seq, e.Customers[0])
		}, n + 1, KindInserted},
		{"whole chain rewritten without the key", func(t *testing.T, f *fixture) {
			f.rewrite(t, func(evs []Event) []Event {
				for i := range evs {
					evs[i].Actor = "system"
				}
				return evs
			})
			// and the checkpoints re-signed with a key of the attacker's own
			other, err := keyring.Create(filepath.Join(t.TempDir(), "k"), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			var hash [32]byte
			copy(hash[:], f.hash(t, n))
			c := Checkpoint{Seq: n, Hash: hash, Time: t0}
			if err := c.sign(other); err != nil {
				t.Fatal(err)
			}
			f.exec(t, `DELETE FROM audit_checkpoints`)
			f.exec(t, `INSERT INTO audit_checkpoints (seq, hash, time, key_version, mac) VALUES (?, ?, ?, ?, ?)`, c.Seq, c.Hash[:], c.Time.UnixMicro(), c.KeyVersion, c.MAC)
			if err := writeCheckpointFile(f.cpath, &c); err != nil {
				t.Fatal(err)
			}
		}, n, KindCheckpoint},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var bb storetest.Backend
				if b.Name == "sqlite" {
					bb = storetest.SQLite(t)
				} else {
					bb = storetest.Postgres(t)
				}
				f := newFixture(t, bb)
				f.fill(t, n, 20, n)
				if rep := f.verify(t); rep.Problem != nil {
					t.Fatalf("before tampering: %v", rep.Problem)
				}
				tc.tamper(t, f)
				rep := f.verify(t)
				if rep.Problem == nil {
					t.Fatal("tampering not caught")
				}
				if rep.Problem.Seq != tc.seq || rep.Problem.Kind != tc.kind {
					t.Fatalf("caught at seq %d as %q (%s), want seq %d as %q", rep.Problem.Seq, rep.Problem.Kind, rep.Problem.Detail, tc.seq, tc.kind)
				}
			})
		}
	})
}

// SQLite stores any type in any column: a value of another type where verification
// expects an integer (or the bytes of the event) is tampering too, reported at its event
// by the reader that verification uses (store.AuditReader), not a failure to read.
func TestSQLiteColumnTypesTampered(t *testing.T) {
	const n = 40
	tests := []struct {
		name  string
		query string
		kind  Kind
	}{
		{"time as text", `UPDATE audit_events SET time = CAST(time AS TEXT) || 'x' WHERE seq = 4`, KindEdited},
		{"time as a real", `UPDATE audit_events SET time = time + 0.5 WHERE seq = 4`, KindEdited},
		{"actor as a number", `UPDATE audit_events SET actor = 4 WHERE seq = 4`, KindEdited},
		{"action with a NUL", `UPDATE audit_events SET action = CAST(action || char(0) AS BLOB) WHERE seq = 4`, KindEdited},
		// seq is the rowid: SQLite refuses a text there (below), but it can be moved.
		{"seq moved past the head", `UPDATE audit_events SET seq = 1000 WHERE seq = 4`, KindMissing},
		{"body as text", `UPDATE audit_events SET body = 'x' WHERE seq = 4`, KindEdited},
		{"hash shortened", `UPDATE audit_events SET hash = substr(hash, 1, 31) WHERE seq = 4`, KindEdited},
		{"customer index id as a blob with a NUL", `UPDATE audit_customers SET customer_id = CAST(customer_id || char(0) AS BLOB) WHERE seq = 4`, KindIndex},
	}
	t.Run("seq as text is refused", func(t *testing.T) {
		f := newFixture(t, storetest.SQLite(t))
		f.fill(t, n, 20, n)
		if _, err := f.raw.Exec(`UPDATE audit_events SET seq = 'four' WHERE seq = 4`); err == nil {
			t.Fatal("SQLite stored a text as an event's seq")
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, storetest.SQLite(t))
			f.fill(t, n, 20, n)
			f.exec(t, tc.query)
			rep := f.verify(t)
			if rep.Problem == nil || rep.Problem.Seq != 4 || rep.Problem.Kind != tc.kind {
				t.Fatalf("caught as %+v, want seq 4 as %q", rep.Problem, tc.kind)
			}
		})
	}
}

func (f *fixture) body(t *testing.T, seq int) []byte {
	t.Helper()
	var b []byte
	q := `SELECT body FROM audit_events WHERE seq = ?`
	if f.b.Name == "postgres" {
		q = `SELECT body FROM audit_events WHERE seq = $1`
	}
	if err := f.raw.QueryRow(q, seq).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) hash(t *testing.T, seq int) []byte {
	t.Helper()
	h, err := f.db.AuditHash(context.Background(), uint64(seq))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rewrite replaces the whole trail with edit(events), renumbered and re-chained the way an
// attacker with database access but without the master key can: hashes need no key.
func (f *fixture) rewrite(t *testing.T, edit func([]Event) []Event) {
	t.Helper()
	evs, err := Query(context.Background(), f.db, Filter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	evs = edit(evs)
	f.exec(t, `DELETE FROM audit_events`)
	f.exec(t, `DELETE FROM audit_customers`)
	prev := record.Genesis
	for i := range evs {
		e := &evs[i]
		e.Seq = uint64(i + 1)
		body := record.Append(nil, e)
		prev = record.Next(&prev, body)
		f.exec(t, `INSERT INTO audit_events (seq, time, actor, action, body, hash) VALUES (?, ?, ?, ?, ?, ?)`, e.Seq, e.Micros(), e.Actor, e.Action, body, prev[:])
		for _, c := range e.Customers {
			f.exec(t, `INSERT INTO audit_customers (seq, customer_id) VALUES (?, ?)`, e.Seq, c)
		}
	}
	f.exec(t, `UPDATE audit_chain_head SET seq = ?, hash = ?`, len(evs), prev[:])
}

func TestWrongMasterKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.fill(t, 10)
		other, err := keyring.Create(filepath.Join(t.TempDir(), keyring.FileName), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(context.Background(), f.db, other, f.cpath)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Problem == nil || rep.Problem.Kind != KindCheckpoint || rep.Problem.Seq != 10 {
			t.Fatalf("verified under another master key: %v", rep.Problem)
		}
	})
}

func TestCheckpointFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		fresh := func(t *testing.T) *fixture {
			if b.Name == "sqlite" {
				return newFixture(t, storetest.SQLite(t))
			}
			return newFixture(t, storetest.Postgres(t))
		}
		t.Run("missing", func(t *testing.T) {
			f := fresh(t)
			f.fill(t, 10)
			os.Remove(f.cpath)
			rep := f.verify(t)
			if rep.Problem != nil || rep.CheckpointSource != "database" || len(rep.Warnings) == 0 {
				t.Fatalf("missing file: problem %v, source %q, warnings %q", rep.Problem, rep.CheckpointSource, rep.Warnings)
			}
		})
		t.Run("older than the database's", func(t *testing.T) {
			f := fresh(t)
			f.fill(t, 10)
			old, err := ReadCheckpointFile(f.cpath)
			if err != nil {
				t.Fatal(err)
			}
			f.fill(t, 5) // seq 11..15, new checkpoint at 15
			if err := writeCheckpointFile(f.cpath, &old); err != nil {
				t.Fatal(err)
			}
			rep := f.verify(t)
			if rep.Problem != nil || rep.Checkpoint.Seq != 15 || rep.CheckpointSource != "database" {
				t.Fatalf("older file: problem %v, checkpoint %d from %q", rep.Problem, rep.Checkpoint.Seq, rep.CheckpointSource)
			}
		})
		t.Run("newer than the database's: the tail was cut", func(t *testing.T) {
			f := fresh(t)
			f.fill(t, 10)
			f.fill(t, 5) // checkpoints at 10 and 15
			f.exec(t, `DELETE FROM audit_events WHERE seq > 12`)
			f.exec(t, `DELETE FROM audit_customers WHERE seq > 12`)
			f.exec(t, `DELETE FROM audit_checkpoints WHERE seq > 12`)
			f.exec(t, `UPDATE audit_chain_head SET seq = 12, hash = (SELECT hash FROM audit_events WHERE seq = 12)`)
			rep := f.verify(t)
			if rep.Problem == nil || rep.Problem.Kind != KindTailCut || rep.Problem.Seq != 13 {
				t.Fatalf("cut behind the file's checkpoint: %v", rep.Problem)
			}
			// And the trail refuses to checkpoint over the evidence.
			if _, err := Open(context.Background(), f.db, f.kr, f.cpath, nil); err == nil {
				t.Fatal("a trail cut behind its checkpoint file opened and would overwrite it")
			}
			if rep := f.verify(t); rep.Problem == nil || rep.Problem.Kind != KindTailCut {
				t.Fatal("the evidence of the cut was overwritten")
			}
		})
		t.Run("damaged", func(t *testing.T) {
			f := fresh(t)
			f.fill(t, 3)
			os.WriteFile(f.cpath, []byte("kinko-audit-checkpoint v1 seq=3\n"), 0o600)
			if rep := f.verify(t); rep.Problem == nil || rep.Problem.Kind != KindCheckpoint {
				t.Fatalf("damaged file: %v", rep.Problem)
			}
		})
	})
}

func TestQueryAnswersWhoSawWhom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		f.fill(t, 30)
		ctx := context.Background()
		evs, err := Query(ctx, f.db, Filter{Customer: "cus_0003", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Seq != 25 || evs[1].Seq != 14 || evs[0].Customers[0] != "cus_0003" {
			t.Fatalf("who saw cus_0003: %d events", len(evs))
		}
		evs, err = Query(ctx, f.db, Filter{Actor: "staff:stf_002", Action: ActionReveal, From: t0.Add(10 * time.Millisecond), To: t0.Add(30 * time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Seq != 23 || evs[0].Reason != "order inquiry 1234" || fmt.Sprint(evs[0].Fields) != "[email phone]" {
			t.Fatalf("what stf_002 revealed: %d events", len(evs))
		}
	})
}

// The Event type has no field that could hold a value of personal data: this list is the
// review point for adding one.
func TestEventHasNoPersonalDataField(t *testing.T) {
	want := "Seq uint64, Time time.Time, Actor string, ActorIP string, Action string, Shop string, Customers []string, Fields []string, Reason string, Outcome string, RequestID string, Query []uint8"
	var got []string
	ty := reflect.TypeFor[Event]()
	for i := range ty.NumField() {
		got = append(got, ty.Field(i).Name+" "+ty.Field(i).Type.String())
	}
	if strings.Join(got, ", ") != want {
		t.Fatalf("Event's fields changed: %s\n(an audit event must never carry a value of personal data; update this list only after checking that)", strings.Join(got, ", "))
	}
}

// A search is recorded with the blind-index HMAC of its term: the database holds neither
// the term nor anything else personal.
func TestNoPersonalValueInTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		const email = "hanako.yamada@example.jp"
		m := hmac.New(sha256.New, []byte("blind-index-key-for-the-test"))
		m.Write([]byte(email))
		e := event(1)
		e.Action, e.Query = ActionSearch, m.Sum(nil)[:16]
		tr, err := Open(context.Background(), f.db, f.kr, f.cpath, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		tr.Close()
		var dump strings.Builder
		for _, table := range []string{"audit_events", "audit_customers", "audit_chain_head", "audit_checkpoints"} {
			rows, err := f.raw.Query(`SELECT * FROM ` + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				rows.Scan(ptrs...)
				fmt.Fprintf(&dump, "%s %s\n", table, vals)
			}
			rows.Close()
		}
		if !strings.Contains(dump.String(), "stf_001") {
			t.Fatal("the dump does not hold the event at all")
		}
		for _, v := range []string{email, "hanako", "yamada", "example.jp"} {
			if strings.Contains(dump.String(), v) {
				t.Fatal("a personal value is stored in the audit tables")
			}
		}
		if b.File != "" {
			raw, _ := os.ReadFile(b.File)
			wal, _ := os.ReadFile(b.File + "-wal")
			if strings.Contains(string(raw)+string(wal), email) {
				t.Fatal("the searched email is in the database file")
			}
		}
	})
}

func TestRetiredCheckpointKeyIsSkipped(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.fill(t, 10)
	if _, err := f.kr.AddVersion(); err != nil {
		t.Fatal(err)
	}
	f.fill(t, 5) // the checkpoint at 15 is signed with version 2
	if err := f.kr.Retire(1); err != nil {
		t.Fatal(err)
	}
	rep := f.verify(t)
	if rep.Problem != nil || rep.Checkpoint.KeyVersion != 2 || len(rep.Warnings) == 0 {
		t.Fatalf("after retiring the old key: problem %v, warnings %q", rep.Problem, rep.Warnings)
	}
}

func TestAppendRejectsInvalidEvents(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	tr, err := Open(context.Background(), f.db, f.kr, f.cpath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	e := event(1)
	e.Reason = strings.Repeat("x", record.MaxString+1)
	if err := tr.Append(context.Background(), e); err == nil {
		t.Fatal("an oversized event was appended")
	}
	if err := tr.Append(context.Background(), Event{Action: ActionRead}); err == nil {
		t.Fatal("an event without an actor was appended")
	}
	if rep := f.verify(t); rep.Events != 0 {
		t.Fatal("a refused event is in the trail")
	}
	var p *Problem
	if errors.As(nil, &p) {
		t.Fatal("unreachable")
	}
}

// The customer index is written behind the trail (store.IndexAudit): events not indexed
// yet verify as intact, a query by customer still finds every event, and moving the
// index's mark back (to hide deleted rows from verification) only makes the indexer write
// the rows again.
func TestCustomerIndexBehindTheTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		f := newFixture(t, b)
		f.fill(t, 22)
		// Not yet indexed: hold the mark back as if the indexer had not run.
		f.exec(t, `DELETE FROM audit_customers WHERE seq > 11`)
		f.exec(t, `UPDATE audit_index_progress SET seq = 11`)
		if rep := f.verify(t); rep.Problem != nil {
			t.Fatalf("events after the mark without index rows: %v", rep.Problem)
		}
		// A query by customer indexes first: cus_0001 is named by events 1, 12 and 23.
		f.append(t, 23, 23)
		if seqs := f.querySeqs(t, Filter{Customer: "cus_0001"}); seqs != "[23 12 1]" {
			t.Fatalf("query by customer found events %v, want [23 12 1]", seqs)
		}
		var rows, mark int
		if err := f.raw.QueryRow(`SELECT COUNT(*) FROM audit_customers`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if err := f.raw.QueryRow(`SELECT seq FROM audit_index_progress`).Scan(&mark); err != nil {
			t.Fatal(err)
		}
		if rows != 23 || mark != 23 {
			t.Fatalf("after the query: %d index rows up to mark %d, want 23 up to 23", rows, mark)
		}
		// Rows deleted and the mark moved back to hide it: the indexer puts them back.
		f.exec(t, `DELETE FROM audit_customers WHERE seq = 5`)
		f.exec(t, `UPDATE audit_index_progress SET seq = 4`)
		if err := f.db.IndexAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if rep := f.verify(t); rep.Problem != nil {
			t.Fatalf("after re-indexing: %v", rep.Problem)
		}
		if err := f.raw.QueryRow(`SELECT COUNT(*) FROM audit_customers WHERE seq = 5`).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("event 5's index row: %d rows (%v), want 1", rows, err)
		}
		// Queries by actor, action and time bring the buckets' summaries up to date first
		// too: with none written (the mark at 0), they still find every event.
		f.exec(t, `DELETE FROM audit_bucket_keys`)
		f.exec(t, `DELETE FROM audit_bucket_times`)
		f.exec(t, `UPDATE audit_index_progress SET seq = 0`)
		for _, q := range []struct {
			f    Filter
			want string
		}{
			{Filter{Actor: "staff:stf_002", Action: ActionReveal}, "[23 2]"},
			{Filter{From: t0.Add(5 * time.Millisecond), To: t0.Add(8 * time.Millisecond)}, "[7 6 5]"},
		} {
			if seqs := f.querySeqs(t, q.f); seqs != q.want {
				t.Fatalf("%+v: %v, want %s", q.f, seqs, q.want)
			}
		}
		if rep := f.verify(t); rep.Problem != nil {
			t.Fatalf("after the summaries were written again: %v", rep.Problem)
		}
	})
}
