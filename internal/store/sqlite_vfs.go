package store

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// walBufVFS is the name of the SQLite VFS the writer connection opens its database with:
// SQLite's own "unix" VFS, except that writes to the WAL file are gathered in memory and
// reach the file in one pwrite(2) per commit instead of two per page.
//
// Why: SQLite appends a commit to the WAL one frame at a time, a 24-byte frame header and
// then the page, each its own write. A create changes five or six pages at random places
// (the primary key's index and four blind indexes) besides the row and the audit trail, so
// a group commit of six or seven creates, about 37 pages, made 74 pwrite(2) calls: 122 µs
// of system calls on the development machine, where one call with the same bytes took
// 3–4 µs (docs/performance-log.md, change 17).
//
// What it changes and what it does not: the bytes written, their offsets and their order
// are SQLite's; only the number of calls differs. Durability is unchanged: the buffer is
// written out before every xSync, so a commit that waits for the disk (synchronous=FULL)
// still has every frame on disk when it returns. Visibility is unchanged: a commit
// publishes its frames to readers (other connections, other processes) in the WAL index
// after writing them, and the buffer is written out as soon as the commit frame's page is
// in it (the frame whose header carries the database size, the last one SQLite writes for
// a commit), before SQLite updates the index, whatever the synchronous mode; from then
// until the transaction ends every write goes straight to the file (SQLite may rewrite the
// checksums of the transaction's frames after its commit frame, before it publishes it). It
// is also written out before any read, size query, truncation, file control or close of
// the WAL file, before a write that does not continue it, and when it reaches walBufSize.
// When the connection lets go of the WAL's write lock, what is still gathered belongs to a
// transaction that did not commit (frames spilled before a rollback) and is dropped, as
// SQLite forgets those frames: written out later it could land on frames another
// connection committed meanwhile. A crash loses at most what SQLite itself would have lost:
// frames of a commit that had not returned. The database file keeps the "unix" VFS's
// methods but for xShmLock, to see the end of transactions, and xClose; the -shm index is
// the "unix" VFS's. Only the writer connection uses this VFS; readers and the checkpointer
// (which read the WAL) open with the default one.
const walBufVFS = "kinko-walbuf"

// walBufSize bounds one gathered write: a larger commit (a key rotation's re-wrapped
// keys) is written in pieces of this size.
const walBufSize = 1 << 20

const (
	// walHeaderSize and walFrameHeaderSize are the sizes of the WAL file's header and of
	// each frame's header (https://www.sqlite.org/fileformat.html#the_write_ahead_log).
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	// walWriteMax is the largest write handed to the "unix" VFS at once: it writes at most
	// 0x1ffff bytes a call (seekAndWrite masks the length; SQLite itself never writes more
	// than a 64 KiB page), so a gathered commit goes out in pieces of 124 KiB.
	walWriteMax = 0x1ffff &^ 0xfff
	// wrapHeader is the room the wrapper keeps in front of the real file object: the
	// io_methods pointer SQLite reads and the real file's own.
	wrapHeader = 16
)

var (
	walBufOnce sync.Once
	walBufErr  error
	// realVFS is the "unix" VFS the wrapper forwards to.
	realVFS uintptr
	// walMethods is the io_methods table of a wrapped WAL file (C memory, never freed).
	walMethods uintptr
	// walFiles maps a wrapped WAL file object (its C address) to its buffer.
	walFiles sync.Map
	// dbMethods maps the io_methods table the "unix" VFS gave a database file to kinko's
	// copy of it (C memory, never freed), whose xShmLock and xClose are dbShmLock and
	// dbClose; dbOriginal maps the copy back.
	dbMethods, dbOriginal sync.Map
	// dbPaths maps an open database file object to its name, lastDB a connection (its TLS)
	// to the database file it opened last, and dbWAL a database file object to the walFile
	// of the same connection.
	dbPaths, lastDB, dbWAL sync.Map
)

// walFile is a WAL file opened through walBufVFS: its real file object sits wrapHeader
// bytes after the wrapper's. SQLite calls a connection's file methods one at a time.
type walFile struct {
	real uintptr // the real file object
	buf  uintptr // walBufSize bytes of C memory, allocated on the first write
	off  int64   // file offset of buf[0]
	n    int32   // bytes gathered
	// flushAt is the offset just past a commit frame's header while its page is awaited:
	// the page's write completes the commit, and the buffer goes to the file then.
	flushAt int64
	// committed is set once the commit frame is written, until the transaction ends
	// (dbShmLock, which only a WAL paired with its database file hears of): every write
	// goes straight to the file meanwhile.
	committed bool
	db        uintptr      // the database file it is paired with (dbWAL), 0 if none
	path      string       // the WAL file's name
	writes    atomic.Int64 // writes that reached the file (for tests: walStats)
	syncs     atomic.Int64 // syncs done by syncHoldingP (for tests: walStats)
}

// walStats sums, over the WAL files at path opened through walBufVFS, the writes that
// reached the file and the syncs syncHoldingP did (for tests).
func walStats(path string) (writes, syncs int64) {
	walFiles.Range(func(_, v any) bool {
		if w := v.(*walFile); w.path == path {
			writes += w.writes.Load()
			syncs += w.syncs.Load()
		}
		return true
	})
	return writes, syncs
}

// writerVFS is the writer connection's DSN parameter naming walBufVFS, or nothing where
// SQLite has no "unix" VFS to wrap (the writer then writes the WAL as SQLite does).
func writerVFS() string {
	if registerWALBufVFS() != nil {
		return ""
	}
	return "&vfs=" + walBufVFS
}

// registerWALBufVFS registers walBufVFS once per process.
func registerWALBufVFS() error {
	walBufOnce.Do(func() { walBufErr = doRegisterWALBufVFS() })
	return walBufErr
}

func doRegisterWALBufVFS() error {
	tls := libc.NewTLS()
	defer tls.Close()
	unix, err := libc.CString("unix")
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, unix)
	realVFS = sqlite3.Xsqlite3_vfs_find(tls, unix)
	if realVFS == 0 {
		return errors.New("sqlite: no unix VFS")
	}
	real := (*sqlite3.Tsqlite3_vfs)(cmem(realVFS))
	p := libc.Xcalloc(tls, 1, libc.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_vfs{})))
	m := libc.Xcalloc(tls, 1, libc.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_io_methods{})))
	name, err := libc.CString(walBufVFS)
	if p == 0 || m == 0 || err != nil {
		return errors.New("sqlite: out of memory")
	}
	v := (*sqlite3.Tsqlite3_vfs)(cmem(p))
	*v = *real
	v.FpNext = 0
	v.FzName = name
	v.FszOsFile = wrapHeader + (real.FszOsFile+7)&^7
	v.FxOpen = cfunc(walBufOpen)
	methods := (*sqlite3.Tsqlite3_io_methods)(cmem(m))
	*methods = sqlite3.Tsqlite3_io_methods{
		FiVersion:               1,
		FxClose:                 cfunc(walClose),
		FxRead:                  cfunc(walRead),
		FxWrite:                 cfunc(walWrite),
		FxTruncate:              cfunc(walTruncate),
		FxSync:                  cfunc(walSync),
		FxFileSize:              cfunc(walFileSize),
		FxLock:                  cfunc(walLock),
		FxUnlock:                cfunc(walUnlock),
		FxCheckReservedLock:     cfunc(walCheckReservedLock),
		FxFileControl:           cfunc(walFileControl),
		FxSectorSize:            cfunc(walSectorSize),
		FxDeviceCharacteristics: cfunc(walDeviceCharacteristics),
	}
	walMethods = m
	if rc := sqlite3.Xsqlite3_vfs_register(tls, p, 0); rc != sqlite3.SQLITE_OK {
		return errors.New("sqlite: cannot register the WAL-buffering VFS")
	}
	return nil
}

// cfunc is the C function pointer of the Go function f, as SQLite's Go translation
// (modernc.org/sqlite/lib) stores and calls them: the function value's pointer.
func cfunc[F any](f F) uintptr { return *(*uintptr)(unsafe.Pointer(&f)) }

// goFunc is the Go function behind a C function pointer p taken from a method table (F is
// its func type): the inverse of cfunc.
func goFunc[F any](p uintptr) F { return *(*F)(unsafe.Pointer(&p)) }

// realMethods is the real file's io_methods table.
func realMethods(f uintptr) *sqlite3.Tsqlite3_io_methods {
	return (*sqlite3.Tsqlite3_io_methods)(cmem(*(*uintptr)(cmem(f))))
}

func walBufOpen(tls *libc.TLS, _ uintptr, name, file uintptr, flags int32, outFlags uintptr) int32 {
	open := (*sqlite3.Tsqlite3_vfs)(cmem(realVFS)).FxOpen
	if flags&sqlite3.SQLITE_OPEN_WAL == 0 {
		// Not a WAL file: the real VFS's object in place, with its own methods; a main
		// database file's with xShmLock and xClose of kinko's (dbShmLock).
		rc := goFunc[func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32](open)(tls, realVFS, name, file, flags, outFlags)
		if m := *(*uintptr)(cmem(file)); m != 0 && flags&sqlite3.SQLITE_OPEN_MAIN_DB != 0 {
			if patched := patchedDBMethods(tls, m); patched != 0 {
				*(*uintptr)(cmem(file)) = patched
				dbPaths.Store(file, libc.GoString(name))
				lastDB.Store(tls, file)
			}
		}
		return rc
	}
	*(*uintptr)(cmem(file)) = 0
	real := file + wrapHeader
	*(*uintptr)(cmem(real)) = 0
	rc := goFunc[func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32](open)(tls, realVFS, name, real, flags, outFlags)
	if *(*uintptr)(cmem(real)) != 0 {
		// SQLite closes a file whose methods are set, even after a failed open.
		w := &walFile{real: real, flushAt: -1, path: libc.GoString(name)}
		walFiles.Store(file, w)
		*(*uintptr)(cmem(file)) = walMethods
		// The connection opens its WAL after its database file: pair them, so that the
		// end of its write transactions reaches this buffer (dbShmLock).
		if db, ok := lastDB.Load(tls); ok {
			if p, ok := dbPaths.Load(db); ok && p.(string)+"-wal" == w.path {
				dbWAL.Store(db, w)
				w.db = db.(uintptr)
			}
		}
	}
	return rc
}

// patchedDBMethods is kinko's copy of a database file's io_methods table m, made once per
// table; 0 if it cannot be made (the file then keeps m).
func patchedDBMethods(tls *libc.TLS, m uintptr) uintptr {
	if p, ok := dbMethods.Load(m); ok {
		return p.(uintptr)
	}
	p := libc.Xmalloc(tls, libc.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_io_methods{})))
	if p == 0 {
		return 0
	}
	c := (*sqlite3.Tsqlite3_io_methods)(cmem(p))
	*c = *(*sqlite3.Tsqlite3_io_methods)(cmem(m))
	c.FxClose = cfunc(dbClose)
	if c.FiVersion >= 2 && c.FxShmLock != 0 {
		c.FxShmLock = cfunc(dbShmLock)
	}
	if q, loaded := dbMethods.LoadOrStore(m, p); loaded {
		libc.Xfree(tls, p)
		return q.(uintptr)
	}
	dbOriginal.Store(p, m)
	return p
}

// original is the "unix" VFS's io_methods of database file f.
func original(f uintptr) *sqlite3.Tsqlite3_io_methods {
	m, _ := dbOriginal.Load(*(*uintptr)(cmem(f)))
	return (*sqlite3.Tsqlite3_io_methods)(cmem(m.(uintptr)))
}

// walWriteLock is the WAL index's lock a writer holds for its whole transaction
// (WAL_WRITE_LOCK in SQLite's wal.c).
const walWriteLock = 0

// dbShmLock is the database file's xShmLock. When the connection lets go of the WAL's write
// lock its transaction is over; what it gathered and did not write out belongs to a
// transaction that did not commit (frames spilled before a rollback, or a commit whose
// write failed): SQLite forgets them, and so does the buffer. Written out later, they
// could land on frames another connection committed meanwhile.
func dbShmLock(tls *libc.TLS, f uintptr, ofst, n, flags int32) int32 {
	fp := original(f).FxShmLock
	rc := goFunc[func(*libc.TLS, uintptr, int32, int32, int32) int32](fp)(tls, f, ofst, n, flags)
	if ofst == walWriteLock && flags == sqlite3.SQLITE_SHM_UNLOCK|sqlite3.SQLITE_SHM_EXCLUSIVE {
		if w, ok := dbWAL.Load(f); ok {
			w.(*walFile).discard()
		}
	}
	return rc
}

func dbClose(tls *libc.TLS, f uintptr) int32 {
	fp := original(f).FxClose
	dbWAL.Delete(f)
	dbPaths.Delete(f)
	lastDB.CompareAndDelete(tls, f)
	return goFunc[func(*libc.TLS, uintptr) int32](fp)(tls, f)
}

// discard forgets what was gathered (see dbShmLock), at the end of a write transaction.
func (w *walFile) discard() {
	w.n, w.flushAt, w.committed = 0, -1, false
}

func wal(file uintptr) *walFile {
	w, _ := walFiles.Load(file)
	return w.(*walFile)
}

// flush writes the gathered bytes to the file.
func (w *walFile) flush(tls *libc.TLS) int32 {
	if w.n == 0 {
		return sqlite3.SQLITE_OK
	}
	rc := w.writeReal(tls, w.buf, w.n, w.off)
	if rc == sqlite3.SQLITE_OK {
		w.n = 0
	}
	return rc
}

// writeReal writes through the real file's xWrite, in pieces of at most walWriteMax bytes.
func (w *walFile) writeReal(tls *libc.TLS, p uintptr, n int32, off int64) int32 {
	fp := realMethods(w.real).FxWrite
	w.writes.Add(1)
	for n > 0 {
		k := min(n, walWriteMax)
		if rc := goFunc[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](fp)(tls, w.real, p, k, off); rc != sqlite3.SQLITE_OK {
			return rc
		}
		p, n, off = p+uintptr(k), n-k, off+int64(k)
	}
	return sqlite3.SQLITE_OK
}

func walWrite(tls *libc.TLS, file, p uintptr, n int32, off int64) int32 {
	w := wal(file)
	if w.committed {
		// After the commit frame: SQLite may rewrite frame headers of the transaction
		// (walRewriteChecksums) before it publishes the commit; they go straight to the
		// file, so that nothing of a published commit waits in the buffer.
		return w.writeReal(tls, p, n, off)
	}
	commitPage := off == w.flushAt
	w.flushAt = -1
	if n == walFrameHeaderSize && off >= walHeaderSize && binary.BigEndian.Uint32(unsafe.Slice((*byte)(cmem(p)), n)[4:8]) != 0 {
		w.flushAt = off + walFrameHeaderSize // a commit frame: its page comes next
	}
	end := w.off + int64(w.n)
	switch {
	case w.n > 0 && off >= w.off && off <= end && off+int64(n) <= w.off+walBufSize:
		// Continues the gathered bytes, or rewrites some of them (SQLite rewrites a frame
		// of the open transaction in place when the page changes again).
	case n >= walBufSize/2:
		if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
			return rc
		}
		return w.writeReal(tls, p, n, off)
	default:
		if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
			return rc
		}
		if w.buf == 0 {
			if w.buf = libc.Xmalloc(tls, walBufSize); w.buf == 0 {
				return w.writeReal(tls, p, n, off)
			}
		}
		w.off = off
	}
	at := off - w.off
	copy(unsafe.Slice((*byte)(cmem(w.buf+uintptr(at))), n), unsafe.Slice((*byte)(cmem(p)), n))
	w.n = max(w.n, int32(at)+n)
	if commitPage {
		w.committed = true // for good if the WAL is not paired: gathering stops, safely
		return w.flush(tls)
	}
	return sqlite3.SQLITE_OK
}

func walRead(tls *libc.TLS, file, p uintptr, n int32, off int64) int32 {
	w := wal(file)
	if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
		return rc
	}
	fp := realMethods(w.real).FxRead
	return goFunc[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](fp)(tls, w.real, p, n, off)
}

func walClose(tls *libc.TLS, file uintptr) int32 {
	w := wal(file)
	rc := w.flush(tls)
	fp := realMethods(w.real).FxClose
	if rc2 := goFunc[func(*libc.TLS, uintptr) int32](fp)(tls, w.real); rc == sqlite3.SQLITE_OK {
		rc = rc2
	}
	if w.buf != 0 {
		libc.Xfree(tls, w.buf)
		w.buf = 0
	}
	walFiles.Delete(file)
	if w.db != 0 {
		dbWAL.CompareAndDelete(w.db, w)
	}
	return rc
}

func walTruncate(tls *libc.TLS, file uintptr, size int64) int32 {
	w := wal(file)
	if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
		return rc
	}
	fp := realMethods(w.real).FxTruncate
	return goFunc[func(*libc.TLS, uintptr, int64) int32](fp)(tls, w.real, size)
}

func walSync(tls *libc.TLS, file uintptr, flags int32) int32 {
	w := wal(file)
	if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
		return rc
	}
	// The "unix" VFS's xSync is fsync(2) on the file's descriptor (SQLite on Linux has no
	// F_FULLFSYNC), and once, after the file was created, fsync(2) on its directory: that
	// first time goes through it; the others are syncHoldingP's fdatasync(2).
	f := (*sqlite3.TunixFile)(cmem(w.real))
	if f.FctrlFlags&sqlite3.UNIXFILE_DIRSYNC == 0 {
		if done, errno := syncHoldingP(f.Fh); done {
			w.syncs.Add(1)
			if errno != 0 {
				// Not retried: after a failed sync Linux may report the next one as a
				// success although the pages were lost. The commit fails.
				f.FlastErrno = int32(errno)
				return sqlite3.SQLITE_IOERR_FSYNC
			}
			return sqlite3.SQLITE_OK
		}
	}
	fp := realMethods(w.real).FxSync
	return goFunc[func(*libc.TLS, uintptr, int32) int32](fp)(tls, w.real, flags)
}

func walFileSize(tls *libc.TLS, file, size uintptr) int32 {
	w := wal(file)
	if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
		return rc
	}
	fp := realMethods(w.real).FxFileSize
	return goFunc[func(*libc.TLS, uintptr, uintptr) int32](fp)(tls, w.real, size)
}

func walFileControl(tls *libc.TLS, file uintptr, op int32, arg uintptr) int32 {
	w := wal(file)
	if rc := w.flush(tls); rc != sqlite3.SQLITE_OK {
		return rc
	}
	fp := realMethods(w.real).FxFileControl
	return goFunc[func(*libc.TLS, uintptr, int32, uintptr) int32](fp)(tls, w.real, op, arg)
}

func walLock(tls *libc.TLS, file uintptr, lock int32) int32 {
	w := wal(file)
	fp := realMethods(w.real).FxLock
	return goFunc[func(*libc.TLS, uintptr, int32) int32](fp)(tls, w.real, lock)
}

func walUnlock(tls *libc.TLS, file uintptr, lock int32) int32 {
	w := wal(file)
	fp := realMethods(w.real).FxUnlock
	return goFunc[func(*libc.TLS, uintptr, int32) int32](fp)(tls, w.real, lock)
}

func walCheckReservedLock(tls *libc.TLS, file, out uintptr) int32 {
	w := wal(file)
	fp := realMethods(w.real).FxCheckReservedLock
	return goFunc[func(*libc.TLS, uintptr, uintptr) int32](fp)(tls, w.real, out)
}

func walSectorSize(tls *libc.TLS, file uintptr) int32 {
	w := wal(file)
	fp := realMethods(w.real).FxSectorSize
	return goFunc[func(*libc.TLS, uintptr) int32](fp)(tls, w.real)
}

func walDeviceCharacteristics(tls *libc.TLS, file uintptr) int32 {
	w := wal(file)
	fp := realMethods(w.real).FxDeviceCharacteristics
	return goFunc[func(*libc.TLS, uintptr) int32](fp)(tls, w.real)
}
