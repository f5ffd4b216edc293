package store

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// checkpointInterval is how often committed WAL frames are copied into the SQLite file;
// readers find recent pages in the WAL meanwhile, so durability and reads are unaffected.
// (Every 50 ms, so that less is left to copy when the writer restarts the WAL, measured 4 %
// fewer creates a second: more passes, more fsyncs of the database file, fewer pages
// written once for several commits.)
const checkpointInterval = 200 * time.Millisecond

// The WAL file only starts again from its beginning when a write finds it wholly copied
// and no reader in it, which under a steady stream of writes or reads never happens by
// itself: the file grew by every frame ever written (measured: 500 MB after 20,000 creates,
// for a 25 MB database), and a crash would replay all of it. So once it holds
// walRestartFrames frames the writer, between two batches, restarts it
// (groupWriter.restartWAL): a RESTART checkpoint copies what is left, waits for the readers
// still in the WAL to finish (new ones read the database file), and the next commit writes
// from the file's beginning again. Writes wait meanwhile, at most walRestartWait for the
// readers plus the copy; when it cannot finish in that time (a PASSIVE checkpoint of the
// checkpointer's is running, or a long reader such as a backup or a verification is in the
// WAL), the next attempt comes walRestartBackoff later, doubling up to
// walRestartMaxBackoff. (Run by the checkpointer's own goroutine, the restart had to catch
// the writer between two transactions and never did; the writer's goroutine runs it on the
// checkpointer's connection, when it knows no transaction of its own is open.)
//
// RESTART, not TRUNCATE: the file keeps its size (up to walSizeLimit), so commits
// overwrite blocks the file system has already allocated instead of appending new ones,
// and an fsync of overwritten blocks is much cheaper than one that must also allocate and
// journal them (measured on this project's virtual machine: a commit 1.3 → 1.0 ms, the
// writer's time per create 258 → 223 µs, with checkpoints every 50 ms; restarting a
// truncated file every fraction of a second instead made commits slower, 1.5–2.4 ms). The
// threshold is small for the same reason, and large enough that heavy writing restarts it
// about once a second (docs/performance-log.md).
const (
	walRestartWait       = 10 * time.Millisecond
	walRestartBackoff    = 100 * time.Millisecond
	walRestartMaxBackoff = 5 * time.Second
	// walSizeLimit is SQLite's journal_size_limit on the writer: a WAL that grew past it
	// (readers kept it from restarting) is cut back to it at the next restart.
	walSizeLimit = 80 << 20
)

// walRestartFrames is 64 MiB of 4 KiB pages (a variable for tests).
var walRestartFrames int64 = 16384

// checkpointer runs PASSIVE checkpoints on its own connection: they never block the writer
// or readers, and take the copying work out of the writer's commit path. It publishes the
// WAL's size in frames for the writer (frames). The writer's restart of the WAL
// (groupWriter.restartWAL) runs on this connection too, called between two batches, so
// that every write to the database file goes through one connection, the one that grows
// the file in chunks (below).
//
// The connection is driven through SQLite's C API (sqlite_raw.go) for that: it sets
// SQLITE_FCNTL_CHUNK_SIZE, which database/sql cannot. Without it each checkpoint that
// copied new pages made the file a few pages longer, so the blocks it wrote were always
// new ones for the file system to allocate and every reader's map of the file had a new
// size; grown in chunks, the file changes size once per chunk and the checkpoints' writes
// land on blocks already allocated. The chunk grows with the database (chunkFor), so that
// a small shop's file stays small. (Readers still drop their map whenever the database
// changed, whatever its size: SQLite unmaps on every change. What keeps their maps warm
// is committing rarely under reads and reusing the same readers, sqlite_customers.go.)
type checkpointer struct {
	mu     sync.Mutex // one checkpoint at a time on c
	c      *liteConn
	path   string
	frames *atomic.Int64
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

func newCheckpointer(path string, frames *atomic.Int64) (*checkpointer, error) {
	c, err := openLiteWriter(path)
	if err != nil {
		return nil, err
	}
	cp := &checkpointer{c: c, path: path, frames: frames, quit: make(chan struct{})}
	cp.wg.Add(1)
	go cp.loop()
	return cp, nil
}

// chunkFor is the size the database file grows by when it holds size bytes: an eighth of
// it, between 1 and 64 MiB, in whole MiB.
func chunkFor(size int64) int32 {
	return int32(min(max(size/8>>20, 1), 64) << 20)
}

func (c *checkpointer) loop() {
	defer c.wg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		// A failure here is harmless (the next tick retries; the WAL keeps the data).
		if frames, _, _, err := c.checkpoint(sqlite3.SQLITE_CHECKPOINT_PASSIVE, 0); err == nil {
			c.frames.Store(frames)
		}
	}
}

// checkpoint runs one checkpoint of the given mode (sqlite3.SQLITE_CHECKPOINT_*), waiting
// at most wait for other connections when the mode waits at all; it returns the WAL's
// frames, the frames copied, and whether it could not finish because others were busy.
func (c *checkpointer) checkpoint(mode int32, wait time.Duration) (frames, copied int64, busy bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkpointLocked(mode, wait)
}

// restart is the writer's RESTART checkpoint (groupWriter.restartWAL): busy at once when
// a checkpoint of the checkpointer's own is running.
func (c *checkpointer) restart(wait time.Duration) (frames, copied int64, busy bool, err error) {
	if !c.mu.TryLock() {
		return 0, 0, true, nil
	}
	defer c.mu.Unlock()
	return c.checkpointLocked(sqlite3.SQLITE_CHECKPOINT_RESTART, wait)
}

func (c *checkpointer) checkpointLocked(mode int32, wait time.Duration) (frames, copied int64, busy bool, err error) {
	if c.c == nil {
		return 0, 0, false, errClosed
	}
	if st, err := os.Stat(c.path); err == nil {
		size := st.Size()
		if err := c.c.setChunkSize(chunkFor(size)); err != nil {
			return 0, 0, false, err
		}
	}
	return c.c.walCheckpoint(mode, wait)
}

func (c *checkpointer) stop() {
	c.once.Do(func() {
		close(c.quit)
		c.wg.Wait()
		// A last full checkpoint so a cleanly stopped server leaves everything in the main file.
		c.checkpoint(sqlite3.SQLITE_CHECKPOINT_TRUNCATE, 10*time.Second)
		c.mu.Lock()
		c.c.close()
		c.c = nil
		c.mu.Unlock()
	})
}
