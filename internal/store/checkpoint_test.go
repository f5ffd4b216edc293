package store

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/kinko-jp/kinko/internal/store/storetest"
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
	db, err := Open(ctx, b.DSN, Options{})
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
	if largest > 48<<20 { // without the restart: 90 to 160 MB
		t.Fatalf("the WAL grew to %d MB", largest>>20)
	}
	t.Logf("largest WAL seen: %.1f MB", float64(largest)/(1<<20))
}
