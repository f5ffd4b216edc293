package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointInterval is how often committed WAL frames are copied into the SQLite file;
// readers find recent pages in the WAL meanwhile, so durability and reads are unaffected.
const checkpointInterval = 200 * time.Millisecond

// The WAL file only starts again from its beginning when a write finds it wholly copied
// and no reader in it, which under a steady stream of reads never happens by itself: the
// file grew by every frame ever written (measured: 500 MB after 20,000 creates, for a 25 MB
// database), and a crash would replay all of it. So once it holds walRestartFrames frames
// the writer, between two batches, empties it (groupWriter.restartWAL): a TRUNCATE
// checkpoint copies what is left, waits for the readers still in the WAL to finish (new ones
// read the database file) and truncates the file. Writes wait meanwhile, at most
// walRestartWait for the readers plus the copy; when it cannot finish in that time (a
// PASSIVE checkpoint of the checkpointer's is running, or a long reader such as a backup or
// a verification is in the WAL), the next attempt comes walRestartBackoff later, doubling up
// to walRestartMaxBackoff. (From the checkpointer's connection the TRUNCATE had to catch the
// writer between two transactions and never did.) The threshold is high enough that heavy
// writing restarts it every few seconds, not several times a second: each restart holds the
// writes for a moment (docs/performance.md).
const (
	walRestartWait       = 10 * time.Millisecond
	walRestartBackoff    = 100 * time.Millisecond
	walRestartMaxBackoff = 5 * time.Second
)

// walRestartFrames is 256 MiB of 4 KiB pages (a variable for tests).
var walRestartFrames int64 = 65536

// checkpointer runs PASSIVE checkpoints on its own connection: they never block the writer
// or readers, and take the copying work out of the writer's commit path. It publishes the
// WAL's size in frames for the writer (frames).
type checkpointer struct {
	db     *sql.DB
	frames *atomic.Int64
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

func newCheckpointer(db *sql.DB, frames *atomic.Int64) *checkpointer {
	c := &checkpointer{db: db, frames: frames, quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
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
		var busy, frames, copied int64
		if err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err == nil {
			c.frames.Store(frames)
		}
	}
}

func (c *checkpointer) stop() {
	c.once.Do(func() {
		close(c.quit)
		c.wg.Wait()
		// A last full checkpoint so a cleanly stopped server leaves everything in the main file.
		c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
		c.db.Close()
	})
}
