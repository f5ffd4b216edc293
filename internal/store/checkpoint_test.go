package store

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/kinko-jp/kinko/internal/store/storetest"
	sqlite3 "modernc.org/sqlite/lib"
)

// Under a steady stream of reads SQLite never starts its WAL file again by itself; the
// writer empties it once it is large (checkpoint.go; here from 4 MB on).
func TestWALStaysSmallUnderReads(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few hundred MB")
	}
	defer func(v int64) { walRestartFrames = v }(walRestartFrames)
	walRestartFrames = 1024
	ctx := context.Background()
	b := storetest.SQLite(t)
	// Without the journal, so that each batch of read events is a commit to the WAL.
	db, err := Open(ctx, b.DSN, Options{NoAuditJournal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { // readers, always some of them inside a read transaction
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				db.Customer(ctx, "shop_1", "cus_none")
			}
		}()
	}
	var largest int64
	for i := range 8000 {
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{{Actor: "key:k", Action: "read", Shop: "shop_1", Customers: []string{fmt.Sprintf("cus_%d", i)}, Outcome: "ok"}}); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			if st, err := os.Stat(b.File + "-wal"); err == nil {
				largest = max(largest, st.Size())
			}
		}
	}
	close(stop)
	wg.Wait()
	if db.writer.restarts.Load() == 0 {
		t.Fatal("the writer never restarted the WAL")
	}
	// Without the restart: 90 to 160 MB. With it, 12 to 36 MB seen while another process
	// took a core, and 56 MB once (each restart waits for the readers, and backs off when
	// it cannot finish in time).
	if largest > 80<<20 {
		t.Fatalf("the WAL grew to %d MB", largest>>20)
	}
	t.Logf("largest WAL seen: %.1f MB", float64(largest)/(1<<20))
}

// The checkpointer copies the WAL into the database file, and the file grows in whole
// chunks, so that readers' maps of it are not thrown away at every checkpoint.
func TestCheckpointerCopiesAndGrowsInChunks(t *testing.T) {
	ctx := context.Background()
	db, file := openSQLite(t, Options{})
	for i := range 2000 {
		if err := db.AppendAuditRelaxed(ctx, []AuditRow{{Actor: "key:k", Action: "read", Shop: "shop_1", Customers: []string{fmt.Sprintf("cus_%d", i)}, Outcome: "ok"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.syncJournal(ctx); err != nil {
		t.Fatal(err)
	}
	frames, copied, busy, err := db.checkpointer.checkpoint(sqlite3.SQLITE_CHECKPOINT_PASSIVE, 0)
	if err != nil || busy || frames <= 0 || copied != frames {
		t.Fatalf("checkpoint: %d frames, %d copied, busy %v, %v", frames, copied, busy, err)
	}
	var pages, size int64
	if err := db.r.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < pages*size || st.Size()%(1<<20) != 0 {
		t.Fatalf("database file %d bytes for %d pages of %d: not grown in whole MiB chunks", st.Size(), pages, size)
	}
}

func TestChunkFor(t *testing.T) {
	for _, c := range []struct{ size, chunk int64 }{{0, 1 << 20}, {4 << 20, 1 << 20}, {16 << 20, 2 << 20}, {100 << 20, 12 << 20}, {1 << 30, 64 << 20}, {1 << 40, 64 << 20}} {
		if got := int64(chunkFor(c.size)); got != c.chunk {
			t.Errorf("chunkFor(%d) = %d, want %d", c.size, got, c.chunk)
		}
	}
}
