package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointInterval is how often committed WAL frames are copied into the SQLite file. The
// WAL stays small (a few hundred milliseconds of writes), and readers find recent pages in
// the WAL meanwhile, so durability and reads are unaffected.
const checkpointInterval = 200 * time.Millisecond

// checkpointer runs PASSIVE checkpoints on its own connection: they never block the writer
// or readers, and take the copying work out of the writer's commit path.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, quit: make(chan struct{})}
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
			// A failure here is harmless (the next tick retries; the WAL keeps the data).
			c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
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
