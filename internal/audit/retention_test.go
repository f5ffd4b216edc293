package audit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// oldAndNew appends nOld events written 14 months before now and nNew written a month
// before now, through a trail whose clock says now, and returns that clock.
func (f *fixture) oldAndNew(t *testing.T, nOld, nNew int) func() time.Time {
	t.Helper()
	ctx := context.Background()
	now := t0.AddDate(1, 2, 0)
	clock := func() time.Time { return now }
	tr, err := Open(ctx, f.db, f.kr, f.cpath, clock)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= nOld+nNew; i++ {
		e := event(i)
		if i > nOld {
			e.Time = now.AddDate(0, -1, 0).Add(time.Duration(i) * time.Millisecond)
		}
		if err := tr.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
		if i == nOld/2 || i == nOld {
			if _, err := tr.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return clock
}

func (f *fixture) prune(t *testing.T, clock func() time.Time, months int) (PruneResult, error) {
	t.Helper()
	tr, err := Open(context.Background(), f.db, f.kr, f.cpath, clock)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer tr.Close()
	return tr.Prune(context.Background(), months)
}

func TestPruneKeepsTheChainVerifiable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		clock := f.oldAndNew(t, 100, 50)
		if _, err := f.prune(t, clock, 11); !errors.Is(err, ErrRetentionTooShort) {
			t.Fatalf("11 months: %v, want ErrRetentionTooShort", err)
		}
		if rep := f.verify(t); rep.Problem != nil || rep.Events != 150 || rep.Cut != nil {
			t.Fatalf("a refused prune removed something: %+v", rep)
		}
		res, err := f.prune(t, clock, 12)
		if err != nil {
			t.Fatal(err)
		}
		if res.Removed != 100 || res.CutSeq != 100 || !res.Before.Equal(clock().AddDate(-1, 0, 0)) {
			t.Fatalf("prune: %+v, want the 100 events older than 12 months", res)
		}
		rep := f.verify(t)
		if rep.Problem != nil || rep.Events != 50 || rep.Cut == nil || rep.Cut.Seq != 100 {
			t.Fatalf("after pruning: problem %v, %d events, cut %+v", rep.Problem, rep.Events, rep.Cut)
		}
		if res, err := f.prune(t, clock, 12); err != nil || res.Removed != 0 {
			t.Fatalf("second prune: %+v, %v", res, err)
		}
		// The server keeps working on the pruned trail: it opens, appends, checkpoints.
		f.fill(t, 5)
		if rep := f.verify(t); rep.Problem != nil || rep.Events != 55 {
			t.Fatalf("appending after pruning: %v, %d events", rep.Problem, rep.Events)
		}
		// Events between the cut and the limit are never removed: 18 months keeps all 55.
		if res, err := f.prune(t, clock, 18); err != nil || res.Removed != 0 {
			t.Fatalf("18 months: %+v, %v", res, err)
		}
	})
}

func TestPruneEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		clock := f.oldAndNew(t, 30, 0)
		res, err := f.prune(t, clock, 12)
		if err != nil || res.Removed != 30 {
			t.Fatalf("prune: %+v, %v", res, err)
		}
		if rep := f.verify(t); rep.Problem != nil || rep.Events != 0 || rep.Cut == nil || rep.Cut.Seq != 30 {
			t.Fatalf("empty pruned trail: %+v", rep)
		}
		f.fill(t, 3)
		if rep := f.verify(t); rep.Problem != nil || rep.Events != 3 {
			t.Fatalf("after refilling: %v, %d events", rep.Problem, rep.Events)
		}
	})
}

// Someone with access to the database but not to the master key cannot pass off deleted
// early events as a retention cut.
func TestPrunedTrailTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		seq    uint64
		kind   Kind
	}{
		{"cut row deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_retention_cut`)
		}, 1, KindMissing},
		{"first event after the cut deleted", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_events WHERE seq = 41`)
		}, 41, KindMissing},
		{"cut moved forward over deleted events", func(t *testing.T, f *fixture) {
			h := f.hash(t, 45)
			f.exec(t, `DELETE FROM audit_events WHERE seq <= 45`)
			f.exec(t, `UPDATE audit_retention_cut SET seq = 45, hash = ?`, h)
		}, 1, KindCheckpoint},
		{"a genuine checkpoint copied in as the cut", func(t *testing.T, f *fixture) {
			f.exec(t, `DELETE FROM audit_events WHERE seq <= (SELECT MAX(seq) FROM audit_checkpoints)`)
			f.exec(t, `DELETE FROM audit_retention_cut`)
			f.exec(t, `INSERT INTO audit_retention_cut (id, seq, hash, time, key_version, mac) SELECT 1, seq, hash, time, key_version, mac FROM audit_checkpoints WHERE seq = (SELECT MAX(seq) FROM audit_checkpoints)`)
		}, 1, KindCheckpoint},
		{"events deleted, cut made up without the key", func(t *testing.T, f *fixture) {
			h := f.hash(t, 48)
			f.exec(t, `DELETE FROM audit_events WHERE seq <= 48`)
			f.exec(t, `UPDATE audit_retention_cut SET seq = 48, hash = ?, mac = ?`, h, make([]byte, 32))
		}, 1, KindCheckpoint},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				fresh := storetest.SQLite(t)
				if b.Name == "postgres" {
					fresh = storetest.Postgres(t)
				}
				f := newFixture(t, fresh)
				clock := f.oldAndNew(t, 40, 20)
				if _, err := f.prune(t, clock, 12); err != nil {
					t.Fatal(err)
				}
				tc.tamper(t, f)
				rep := f.verify(t)
				if rep.Problem == nil || rep.Problem.Seq != tc.seq || rep.Problem.Kind != tc.kind {
					t.Fatalf("got %v, want %s at %d", rep.Problem, tc.kind, tc.seq)
				}
			})
		}
	})
}

func TestPruneRefusesADamagedTrail(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	clock := f.oldAndNew(t, 20, 5)
	f.exec(t, `UPDATE audit_events SET actor = 'staff:someone_else' WHERE seq = 7`)
	if _, err := f.prune(t, clock, 12); err == nil {
		t.Fatal("a damaged trail was pruned")
	}
	if rep := f.verify(t); rep.Problem == nil || rep.Problem.Seq != 7 || rep.Cut != nil {
		t.Fatalf("the evidence must stay: %+v", rep)
	}
}

// Retiring the master-key version that signed the cut keeps the trail verifiable once the
// cut is re-signed (kinko keys rotate does it before retiring).
func TestCutSurvivesKeyRotation(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	clock := f.oldAndNew(t, 20, 5)
	if _, err := f.prune(t, clock, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := f.kr.AddVersion(); err != nil {
		t.Fatal(err)
	}
	tr, err := Open(context.Background(), f.db, f.kr, f.cpath, clock)
	if err != nil {
		t.Fatal(err)
	}
	// No event since the last checkpoint: PrepareRetire must still leave a checkpoint
	// signed under the new version (it records the retirement, which moves the head).
	if err := tr.PrepareRetire(context.Background(), "retiring versions older than 2"); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if err := f.kr.Retire(1); err != nil {
		t.Fatal(err)
	}
	rep := f.verify(t)
	if rep.Problem != nil || rep.Cut == nil || rep.Cut.KeyVersion != 2 || rep.Checkpoint == nil || rep.Checkpoint.KeyVersion != 2 {
		t.Fatalf("after rotation: %+v", rep)
	}
	f.fill(t, 2) // the trail opens (its checkpoint file verifies) and appends
	if rep := f.verify(t); rep.Problem != nil {
		t.Fatalf("after reopening: %v", rep.Problem)
	}
}

// Investigators (and the acceptance check) open the shortest table named like "audit"
// first: it must stay the events table whatever tables later migrations add.
func TestEventsTableIsTheShortestAuditName(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	var name string
	if err := f.raw.QueryRow(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%audit%' ORDER BY length(name), name LIMIT 1`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "audit_events" {
		t.Fatalf("shortest audit table is %s, want audit_events", name)
	}
}
