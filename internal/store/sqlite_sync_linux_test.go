//go:build linux

package store

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// syncHoldingP syncs an open file, reports a failed sync (a closed descriptor) as the
// errno, not as a success, and steps aside on a single P.
func TestSyncHoldingP(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("x"); err != nil {
		t.Fatal(err)
	}
	fd := int32(f.Fd())
	if done, errno := syncHoldingP(fd); !done || errno != 0 {
		t.Fatalf("open file: done %v errno %v, want true 0", done, errno)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if done, errno := syncHoldingP(fd); !done || errno != syscall.EBADF {
		t.Fatalf("closed descriptor: done %v errno %v, want true EBADF", done, errno)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if done, _ := syncHoldingP(fd); done {
		t.Fatal("on one P it synced instead of leaving it to SQLite's path")
	}
}
