package store

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// openWALBuf opens a SQLite file as the writer does (walBufVFS) with the given synchronous
// mode, and a reader on the default VFS.
func openWALBuf(t *testing.T, sync string) (w, r *sql.DB, path string) {
	t.Helper()
	if err := registerWALBufVFS(); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "x.db")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)"
	w, err := sql.Open("sqlite", dsn+"&vfs="+walBufVFS+"&_pragma=wal_autocheckpoint(0)&_pragma=synchronous("+sync+")&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	t.Cleanup(func() { w.Close() })
	if _, err := w.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)`); err != nil {
		t.Fatal(err)
	}
	r, err = sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return w, r, path
}

// copyFiles copies the database and its WAL as they are on disk now, as a crash would
// leave them, and opens the copy.
func copyFiles(t *testing.T, path string) *sql.DB {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out.Close()
	}
	db, err := sql.Open("sqlite", "file:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every commit through walBufVFS is in the WAL file when it returns, in either synchronous
// mode: readers on other connections see it at once, and a copy of the files taken then
// (what a crash of the process would leave) holds it whole.
func TestWALBufCommitsReachTheFile(t *testing.T) {
	for _, mode := range []string{"FULL", "NORMAL"} {
		t.Run(mode, func(t *testing.T) {
			w, r, path := openWALBuf(t, mode)
			val := bytes.Repeat([]byte("v"), 700)
			_, syncs := walStats(path + "-wal")
			for i := range 40 {
				tx, err := w.Begin()
				if err != nil {
					t.Fatal(err)
				}
				for j := range 10 { // a group commit of ten rows: several pages
					if _, err := tx.Exec(`INSERT INTO t VALUES (?, ?)`, i*10+j, val); err != nil {
						t.Fatal(err)
					}
				}
				before, _ := walStats(path + "-wal")
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				if n, _ := walStats(path + "-wal"); n-before != 1 {
					t.Fatalf("commit %d reached the WAL in %d writes, want 1", i, n-before)
				}
				if n := count(t, r); n != (i+1)*10 {
					t.Fatalf("after commit %d a reader sees %d rows", i, n)
				}
			}
			// With synchronous=FULL each commit syncs the WAL, on Linux through
			// syncHoldingP but for the first after the file was created (which also
			// syncs its directory, through SQLite's own xSync).
			_, after := walStats(path + "-wal")
			syncs = after - syncs
			if want := mode == "FULL" && runtime.GOOS == "linux" && runtime.GOMAXPROCS(0) >= 2; want && (syncs < 39 || syncs > 40) || !want && syncs != 0 {
				t.Fatalf("40 commits with synchronous=%s: %d syncs through syncHoldingP", mode, syncs)
			}
			if n := count(t, copyFiles(t, path)); n != 400 {
				t.Fatalf("a copy of the files holds %d of 400 rows", n)
			}
		})
	}
}

// A transaction larger than the buffer, one that rewrites its own pages, and one that is
// rolled back leave a database that is whole, on disk and to readers.
func TestWALBufLargeAndRolledBack(t *testing.T) {
	w, r, path := openWALBuf(t, "NORMAL")
	if _, err := w.Exec(`PRAGMA cache_size = 50`); err != nil { // spill frames before the commit
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("b"), 3000)
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 { // 6 MB: several buffers, with spills
		if _, err := tx.Exec(`INSERT INTO t VALUES (?, ?)`, i, big); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2000 { // the same pages again, in the same transaction
		if _, err := tx.Exec(`UPDATE t SET v = ? WHERE k = ?`, append(big[:2990:2990], fmt.Sprintf("%010d", i)...), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// The commit rewrote frame checksums after its commit frame (walRewriteChecksums): a
	// copy taken now, as a crash would leave the files, must hold all of it.
	if n := count(t, copyFiles(t, path)); n != 2000 {
		t.Fatalf("a copy right after the large commit holds %d of 2000 rows", n)
	}
	tx, err = w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if _, err := tx.Exec(`INSERT INTO t VALUES (?, ?)`, 10000+i, big); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO t VALUES (99999, x'00')`); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*sql.DB{r, copyFiles(t, path)} {
		if n := count(t, db); n != 2001 {
			t.Fatalf("%d rows, want 2001", n)
		}
		var ok string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check: %q %v", ok, err)
		}
		var v []byte
		if err := db.QueryRow(`SELECT v FROM t WHERE k = 1234`).Scan(&v); err != nil || string(v[2990:]) != "0000001234" {
			t.Fatalf("row 1234: %q %v", v[2990:], err)
		}
	}
}

// A transaction that spilled frames and was rolled back leaves nothing gathered behind: a
// second writer connection then commits over the same part of the WAL, and the first one's
// next commit must not write the rolled-back frames over it.
func TestWALBufRollbackThenAnotherWriter(t *testing.T) {
	a, r, path := openWALBuf(t, "FULL")
	b, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&vfs="+walBufVFS+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	b.SetMaxOpenConns(1)
	t.Cleanup(func() { b.Close() })
	if _, err := a.Exec(`PRAGMA cache_size = 20`); err != nil { // spill early
		t.Fatal(err)
	}
	// An empty WAL: the rollback then reads nothing back from it (a read would write out
	// what is gathered while the transaction still holds the write lock, and hide the case).
	if _, err := r.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("r"), 3000)
	tx, err := a.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 { // about 1 MB: frames spilled into the WAL, some still gathered
		if _, err := tx.Exec(`INSERT INTO t VALUES (?, ?)`, i, big); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	val := bytes.Repeat([]byte("b"), 3000)
	for i := range 100 { // the other writer commits where the rolled-back frames were
		if _, err := b.Exec(`INSERT INTO t VALUES (?, ?)`, 1000+i, val); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Exec(`INSERT INTO t VALUES (5000, x'01')`); err != nil {
		t.Fatal(err)
	}
	for _, db := range []*sql.DB{r, copyFiles(t, path)} {
		var ok string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check: %q %v", ok, err)
		}
		if n := count(t, db); n != 101 {
			t.Fatalf("%d rows, want 101", n)
		}
		var v []byte
		if err := db.QueryRow(`SELECT v FROM t WHERE k = 1050`).Scan(&v); err != nil || !bytes.Equal(v, val) {
			t.Fatalf("the other writer's row 1050 is damaged: %v", err)
		}
	}
}
