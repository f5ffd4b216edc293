package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The audit journal: the events of reads are appended to a file in the data folder by the
// reading goroutine itself (one write(2) under a mutex, no hand-off to the writer), and
// moved into audit_events by the group writer in large batches, every journalIngestDelay
// or journalIngestEvents events, and before anything else is written or anything reads
// the trail.
//
// Why: committing each small batch of read events cost the readers more than the reads
// themselves. On SQLite each commit writes WAL pages and makes every reader connection
// drop its page cache; on PostgreSQL it is a round trip and a commit for a backend on the
// same cores (docs/performance-log.md). The journal is exactly as durable as those commits
// were (both reach the operating system before the read is answered, and the disk later:
// read events were committed with synchronous=NORMAL / synchronous_commit off), and
// fail-closed holds the same way: if the journal write fails the read is refused.
//
// What changes for the trail: a read event gets its seq and its place in the hash chain
// when it enters audit_events, up to journalIngestDelay after the read, in the order the
// reads were recorded; events of changes (create, update, delete…) still go in with the
// change, in its transaction, after every journaled event before them (each transaction of
// the writer takes the journal's pending events first: take). So the table is always a
// prefix of the trail with no gaps, everything that reads the trail in this process
// (queries, verification, checkpoints, backups) first moves the journal in (syncJournal),
// and a process that stops or crashes moves its journal in when the data folder is next
// opened.
//
// One process owns the journal (an exclusive flock on its first file); another process on
// the same database (the CLI while the server runs) finds it locked and appends its read
// events to audit_events directly.
//
// The journal is two files, PATH and PATH-2, used in turn: reads append to the current
// one; a transaction that takes the pending events makes the other one current, and once
// it commits, the one it took from is emptied. So a file is never emptied while records
// that are not in the database are being appended to it. Each file starts with a header,
// "KINKOAJ1" and 16 random bytes naming the journal (the same in both), followed by
// records, each
//
//	length  4 bytes, big-endian: the length of body
//	crc     4 bytes, big-endian: CRC-32C of jseq and body
//	jseq    8 bytes, big-endian: the record's number, one more than the record before
//	body    the event's canonical encoding (internal/audit/record) with seq 0
//
// audit_journal_marks holds, for each journal (by its name), the jseq of the last record
// moved into audit_events, written in the same transaction, so that a crash between that
// commit and a file's truncation never moves a record in twice. On PostgreSQL each server
// has a journal of its own, in its data folder (Options.AuditJournal). A torn last record
// (a crash inside write(2)) is dropped: its read was never answered.
type auditJournal struct {
	id      string // the journal's name, hex, from the files' header
	markSQL string // journalSetMarkSQL for the database's dialect
	now     func() time.Time
	delay   time.Duration // how long events may wait before they are moved in
	kick    chan struct{} // tells the writer that events wait (journalDue)

	mu      sync.Mutex
	room    *sync.Cond // signalled when the writer takes the pending events
	failing bool       // the last transaction that took them failed: do not wait for room
	closed  bool
	files   [2]*journalFile
	cur     int        // the file appended to
	next    uint64     // jseq of the next record
	pending []AuditRow // appended and not taken by a transaction yet, in order
	// spare is the slice the last transaction moved in, cleared, kept for the next
	// pending: a fresh one each time was megabytes of new memory a second to fault in.
	spare  []AuditRow
	taken  int       // events taken by a transaction that has not ended yet
	first  time.Time // when the oldest pending event was appended
	broken int       // 1 + the file a failed write left a partial record in (0: none)
	buf    []byte
	// failWrite, when set (tests), fails the writes with its error.
	failWrite error

	queued atomic.Int64 // pending events and events taken by a transaction not yet committed, for syncJournal

	// The writer goroutine's own: the timer that moves the pending events in when due.
	timer *time.Timer
	armed bool
}

// journalFile is one of the journal's two files.
type journalFile struct {
	f    *os.File
	path string
	size int64  // bytes in it
	last uint64 // jseq of its last record (0: none since it was emptied)
}

const (
	// journalSuffix names the journal after the database file (kinko.db-audit-journal).
	journalSuffix = "-audit-journal"
	// journalIngestEvents and journalIngestDelay bound what waits in the journal: one
	// transaction moves thousands of events for about the cost of one small commit.
	journalIngestEvents = 16384
	journalIngestDelay  = time.Second
	// journalWait makes readers wait for the writer (back-pressure) when this many events
	// are pending and it is moving them in: readers may not outrun it.
	journalWait = 2 * journalIngestEvents
	// journalMaxPending stops reads when events cannot be moved into the database (a full
	// disk): the journal does not grow without bound, and reads fail closed.
	journalMaxPending = 1 << 16
	journalHeader     = 16 // a record's header
	// journalFileHeader is the file's header: journalMagic and the journal's 16-byte name.
	journalFileHeader = 24
	journalMagic      = "KINKOAJ1"
	// journalMaxRecord bounds a record's length when reading the file back.
	journalMaxRecord = 1 << 24
)

var journalCRC = crc32.MakeTable(crc32.Castagnoli)

const (
	journalMarkSQL    = `SELECT ingested FROM audit_journal_marks WHERE journal = ?`
	journalSetMarkSQL = `INSERT INTO audit_journal_marks (journal, ingested) VALUES (?, ?)
		ON CONFLICT (journal) DO UPDATE SET ingested = excluded.ingested`
)

// auditJournalMigration (migration 8) creates the journals' marks.
const auditJournalMigration = `CREATE TABLE audit_journal_marks (
		journal TEXT PRIMARY KEY,
		ingested BIGINT NOT NULL
	)`

// errJournalFull refuses reads while the journal's events cannot be moved into the
// database.
var errJournalFull = errors.New("audit journal: full: its events cannot be moved into the database")

// errJournalLocked means another process owns the journal.
var errJournalLocked = errors.New("audit journal: in use by another process")

// errJournalBroken sends read events to audit_events directly while a failed write's
// partial record is in the current file.
var errJournalBroken = errors.New("audit journal: a write failed and could not be undone")

// openJournal opens and locks the journal at path (its two files, created with a new name
// when they do not exist) and reads back what an earlier process left in it after the
// record that mark gives for the journal's name. It returns errJournalLocked when another
// process holds it.
func openJournal(path string, mark func(id string) (uint64, error), now func() time.Time) (*auditJournal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit journal %s: %w", path, err)
	}
	j := &auditJournal{now: now, delay: journalIngestDelay, kick: make(chan struct{}, 1)}
	j.room = sync.NewCond(&j.mu)
	for i, p := range [2]string{path, path + "-2"} {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			j.close()
			return nil, fmt.Errorf("audit journal %s: %w", p, err)
		}
		j.files[i] = &journalFile{f: f, path: p}
		if i == 0 {
			if err := lockFile(f); err != nil {
				j.close()
				return nil, err
			}
		}
	}
	if err := j.open(mark); err != nil {
		j.close()
		return nil, err
	}
	return j, nil
}

// open reads the files' headers (writing them into empty files) and the records after the
// mark.
func (j *auditJournal) open(mark func(id string) (uint64, error)) error {
	var ids [2][]byte
	for i, jf := range j.files {
		var h [journalFileHeader]byte
		n, err := jf.f.ReadAt(h[:], 0)
		switch {
		case n == 0 && errors.Is(err, io.EOF):
		case n < len(h) || string(h[:len(journalMagic)]) != journalMagic:
			return fmt.Errorf("audit journal %s: not a kinko audit journal (move it aside to start)", jf.path)
		default:
			ids[i] = h[len(journalMagic):]
		}
	}
	id := ids[0]
	switch {
	case id == nil:
		id = ids[1]
	case ids[1] != nil && string(ids[1]) != string(id):
		return fmt.Errorf("audit journal %s: its two files name different journals (move them aside to start)", j.files[0].path)
	}
	if id == nil {
		id = make([]byte, 16)
		if _, err := rand.Read(id); err != nil {
			return err
		}
	}
	j.id = hex.EncodeToString(id)
	for i, jf := range j.files {
		if ids[i] == nil {
			if _, err := jf.f.Write(append([]byte(journalMagic), id...)); err != nil {
				return fmt.Errorf("audit journal %s: %w", jf.path, err)
			}
		}
	}
	m, err := mark(j.id)
	if err != nil {
		return err
	}
	j.next = m + 1
	for _, jf := range j.files {
		if err := j.recover(jf, m); err != nil {
			return err
		}
	}
	slices.SortFunc(j.pending, func(a, b AuditRow) int { return cmp.Compare(a.Seq, b.Seq) })
	for i := range j.pending {
		j.pending[i].Seq = 0 // the jseq, used for the sort only
	}
	j.queued.Store(int64(len(j.pending)))
	if len(j.pending) > 0 {
		j.first = j.now()
	}
	return nil
}

// recover reads a file's records: those after mark become pending (their Seq holding the
// jseq until open sorts them), a torn tail is cut.
func (j *auditJournal) recover(jf *journalFile, mark uint64) error {
	data, err := io.ReadAll(io.NewSectionReader(jf.f, journalFileHeader, 1<<62))
	if err != nil {
		return fmt.Errorf("audit journal %s: %w", jf.path, err)
	}
	valid := 0
	for p := data; len(p) >= journalHeader; {
		n := int(binary.BigEndian.Uint32(p))
		if n > journalMaxRecord || len(p) < journalHeader+n {
			break
		}
		if crc32.Checksum(p[8:journalHeader+n], journalCRC) != binary.BigEndian.Uint32(p[4:]) {
			break
		}
		jseq := binary.BigEndian.Uint64(p[8:])
		var ev AuditRow
		if err := record.Decode(p[journalHeader:journalHeader+n], &ev); err != nil {
			break
		}
		if jseq > mark {
			ev.Seq = jseq
			j.pending = append(j.pending, ev)
		}
		j.next = max(j.next, jseq+1)
		jf.last = max(jf.last, jseq)
		valid += journalHeader + n
		p = p[journalHeader+n:]
	}
	if valid < len(data) {
		if err := jf.f.Truncate(journalFileHeader + int64(valid)); err != nil {
			return fmt.Errorf("audit journal %s: cutting a torn record: %w", jf.path, err)
		}
	}
	jf.size = journalFileHeader + int64(valid)
	return nil
}

// append records events of reads: one write(2) to the current file, under the journal's
// mutex, by the reading goroutine. It fails (and nothing is recorded) when the write
// fails; errJournalBroken sends the events to the writer instead.
func (j *auditJournal) append(events []AuditRow) error {
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return err
		}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.pending) >= journalWait && !j.failing && !j.closed && j.broken == 0 {
		j.wake()
		j.room.Wait()
	}
	switch {
	case j.closed:
		return errClosed
	case j.broken != 0:
		return errJournalBroken
	case len(j.pending)+j.taken >= journalMaxPending:
		return errJournalFull
	}
	jf := j.files[j.cur]
	j.buf = j.buf[:0]
	next := j.next
	start := len(j.pending)
	for i := range events {
		ev := events[i]
		if ev.Time.IsZero() {
			ev.Time = j.now()
		}
		ev.Seq = 0
		at := len(j.buf)
		j.buf = append(j.buf, make([]byte, journalHeader)...)
		j.buf = record.Append(j.buf, &ev)
		binary.BigEndian.PutUint32(j.buf[at:], uint32(len(j.buf)-at-journalHeader))
		binary.BigEndian.PutUint64(j.buf[at+8:], next)
		binary.BigEndian.PutUint32(j.buf[at+4:], crc32.Checksum(j.buf[at+8:], journalCRC))
		next++
		j.pending = append(j.pending, ev)
	}
	err := j.failWrite
	if err == nil {
		_, err = jf.f.Write(j.buf)
	}
	if err != nil {
		if terr := jf.f.Truncate(jf.size); terr != nil {
			j.broken = 1 + j.cur
		}
		clear(j.pending[start:])
		j.pending = j.pending[:start]
		return fmt.Errorf("audit journal: %w", err)
	}
	jf.size += int64(len(j.buf))
	jf.last = next - 1
	j.next = next
	if start == 0 {
		j.first = j.now()
	}
	j.queued.Store(int64(len(j.pending) + j.taken))
	if start == 0 || len(j.pending) >= journalIngestEvents {
		j.wake()
	}
	return nil
}

// wake tells the writer that events wait.
func (j *auditJournal) wake() {
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// take hands the pending events to a transaction of the writer, which moves them into
// audit_events first, with mark(upto), upto being the jseq of the last of them. Appends go
// to the other file from now on. After the transaction, the writer calls moved or, if it
// failed, putBack.
func (j *auditJournal) take() (rows []AuditRow, upto uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	rows = j.pending
	if len(rows) == 0 {
		return nil, 0
	}
	j.pending, j.spare = j.spare, nil
	if j.pending == nil {
		j.pending = make([]AuditRow, 0, len(rows))
	}
	j.taken = len(rows)
	j.cur ^= 1
	j.room.Broadcast()
	return rows, j.next - 1
}

// mark is the statement that records, in the transaction moving them in, that the records
// up to jseq upto are in the database.
func (j *auditJournal) mark(upto uint64) statement {
	return statement{j.markSQL, []any{j.id, int64(upto)}}
}

// moved is told that the events taken up to jseq upto (rows) are in audit_events: files
// holding no later record, but the current one, are emptied (audit_journal_marks already
// says their records are in: if a cut fails, the next open skips them).
func (j *auditJournal) moved(upto uint64, rows []AuditRow) {
	clear(rows)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.spare = rows[:0]
	j.failing, j.taken = false, 0
	j.queued.Store(int64(len(j.pending)))
	jf := j.files[j.cur^1]
	if jf.last > upto || jf.size == journalFileHeader {
		return
	}
	if err := jf.f.Truncate(journalFileHeader); err == nil {
		jf.size, jf.last = journalFileHeader, 0
		if j.broken == 1+(j.cur^1) {
			j.broken = 0 // the partial record went with it
		}
	}
}

// putBack returns events taken by a transaction that failed: they are pending again,
// before anything appended since.
func (j *auditJournal) putBack(rows []AuditRow) {
	if len(rows) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pending = append(rows, j.pending...)
	j.taken = 0
	j.queued.Store(int64(len(j.pending)))
	j.failing = true
	j.room.Broadcast()
	j.first = j.now().Add(-j.delay / 2) // retried soon, not at once
}

// due reports whether the pending events should be moved in now, and if not, how long
// until they should (0: nothing pending).
func (j *auditJournal) due() (bool, time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.pending) == 0 {
		return false, 0
	}
	if len(j.pending) >= journalIngestEvents {
		return true, 0
	}
	wait := j.delay - j.now().Sub(j.first)
	return wait <= 0, wait
}

// kicked and timerC are the writer's channels (nil without a journal or a timer armed).
func (j *auditJournal) kicked() <-chan struct{} {
	if j == nil {
		return nil
	}
	return j.kick
}

func (j *auditJournal) timerC() <-chan time.Time {
	if j == nil || !j.armed {
		return nil
	}
	return j.timer.C
}

// arm sets the writer's timer to fire in d.
func (j *auditJournal) arm(d time.Duration) {
	if j.timer == nil {
		j.timer = time.NewTimer(d)
	} else {
		j.timer.Reset(d)
	}
	j.armed = true
}

// shut refuses further appends (the writer is stopping) and releases waiting readers.
func (j *auditJournal) shut() {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.closed = true
	j.room.Broadcast()
	j.mu.Unlock()
}

func (j *auditJournal) close() error {
	if j == nil {
		return nil
	}
	if j.timer != nil {
		j.timer.Stop()
	}
	var err error
	for _, jf := range j.files {
		if jf != nil {
			err = errors.Join(err, jf.f.Close())
		}
	}
	return err
}

// openAuditJournal opens the journal at path, when this process can own it.
func (db *DB) openAuditJournal(ctx context.Context, path string) (*auditJournal, error) {
	mark := func(id string) (uint64, error) {
		var m int64
		err := db.w.QueryRowContext(ctx, db.q(journalMarkSQL), id).Scan(&m)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("database %s: reading the audit journal's mark: %w", db.where, err)
		}
		return uint64(m), nil
	}
	j, err := openJournal(path, mark, db.now)
	if errors.Is(err, errJournalLocked) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	j.markSQL = db.q(journalSetMarkSQL)
	if db.journalDelay > 0 {
		j.delay = db.journalDelay
	}
	return j, nil
}

// syncJournal moves the journal's events into audit_events (see auditJournal): called
// before anything reads the trail.
func (db *DB) syncJournal(ctx context.Context) error {
	if db.writer == nil || db.writer.journal == nil || db.writer.journal.queued.Load() == 0 {
		return nil
	}
	return db.writer.doRelaxed(ctx, func(*sql.Tx) ([]AuditRow, error) { return nil, nil })
}
