package store

import (
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
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The audit journal (SQLite): the events of reads are appended to a file beside the
// database, one write(2) per group of readers, and moved into audit_events in large
// batches, every journalIngestDelay or journalIngestEvents events, and before anything
// else is written or anything reads the trail.
//
// Why: on SQLite a committed transaction is a few WAL frames written and, worse, a change
// of the database that makes every reader connection drop its page cache. Committing each
// small batch of read events cost the readers about three times what the read itself costs
// (docs/performance.md, change 10). The journal is exactly as durable as those commits
// were (both reach the operating system before the read is answered, and the disk later:
// read events were committed with synchronous=NORMAL), and fail-closed holds the same way:
// if the journal write fails the read is refused.
//
// What changes for the trail: a read event gets its seq and its place in the hash chain
// when it enters audit_events, up to journalIngestDelay after the read, in the order the
// reads were recorded; events of changes (create, update, delete…) still go in with the
// change, in its transaction, after every journaled event before them. So the table is
// always a prefix of the trail with no gaps, everything that reads the trail in this
// process (queries, verification, checkpoints, backups) first moves the journal in
// (syncJournal), and a process that stops or crashes moves its journal in when the data
// folder is next opened.
//
// One process owns the journal (an exclusive flock on the file); another process on the
// same database (the CLI while the server runs) finds it locked and appends its read
// events to audit_events directly, as PostgreSQL always does.
//
// The file starts with a header, "KINKOAJ1" and 16 random bytes naming the journal (set
// when the file is created), followed by records, each
//
//	length  4 bytes, big-endian: the length of body
//	crc     4 bytes, big-endian: CRC-32C of jseq and body
//	jseq    8 bytes, big-endian: the record's number, one more than the record before
//	body    the event's canonical encoding (internal/audit/record) with seq 0
//
// audit_journal_marks holds, for each journal (by its name), the jseq of the last record
// moved into audit_events, written in the same transaction, so that a crash between that
// commit and the file's truncation never moves a record in twice. On PostgreSQL each server
// has a journal of its own, in its data folder (Options.AuditJournal). A torn last record (a crash inside write(2)) is dropped:
// its read was never answered.
type auditJournal struct {
	f       *os.File
	path    string
	id      string // the journal's name, hex, from its header
	markSQL string // journalSetMarkSQL for the database's dialect
	now     func() time.Time
	size    int64      // bytes in the file
	next    uint64     // jseq of the next record
	pending []AuditRow // events in the file and not yet in audit_events, in order
	first   time.Time  // when the oldest pending event was journaled
	queued  atomic.Int64
	broken  bool // a failed write could not be undone: stop using the file
	buf     []byte
	timer   *time.Timer
	armed   bool
	// failWrite, when set (tests), fails the next writes with its error.
	failWrite error
}

const (
	// journalSuffix names the journal after the database file (kinko.db-audit-journal).
	journalSuffix = "-audit-journal"
	// journalIngestEvents and journalIngestDelay bound what waits in the journal: one
	// transaction moves thousands of events for about the cost of one small commit.
	journalIngestEvents = 4096
	journalIngestDelay  = 100 * time.Millisecond
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

// openJournal opens and locks the journal at path (creating it with a new name when it
// does not exist) and reads back what an earlier process left in it after record mark,
// which mark gives for the journal's name. It returns errJournalLocked when another process
// holds it.
func openJournal(path string, mark func(id string) (uint64, error), now func() time.Time) (*auditJournal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit journal %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	j := &auditJournal{f: f, path: path, now: now}
	if err := j.open(mark); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// open reads the header (writing one into an empty file) and the records after the mark.
func (j *auditJournal) open(mark func(id string) (uint64, error)) error {
	var h [journalFileHeader]byte
	n, err := j.f.ReadAt(h[:], 0)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		copy(h[:], journalMagic)
		if _, err := rand.Read(h[len(journalMagic):]); err != nil {
			return err
		}
		if _, err := j.f.Write(h[:]); err != nil {
			return fmt.Errorf("audit journal %s: %w", j.path, err)
		}
	case n < len(h) || string(h[:len(journalMagic)]) != journalMagic:
		return fmt.Errorf("audit journal %s: not a kinko audit journal (move it aside to start)", j.path)
	}
	j.id = hex.EncodeToString(h[len(journalMagic):])
	m, err := mark(j.id)
	if err != nil {
		return err
	}
	j.next = m + 1
	return j.recover(m)
}

// recover reads the file's records: those after mark become pending, a torn tail is cut.
func (j *auditJournal) recover(mark uint64) error {
	data, err := io.ReadAll(io.NewSectionReader(j.f, journalFileHeader, 1<<62))
	if err != nil {
		return fmt.Errorf("audit journal %s: %w", j.path, err)
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
			ev.Seq = 0
			j.pending = append(j.pending, ev)
		}
		j.next = max(j.next, jseq+1)
		valid += journalHeader + n
		p = p[journalHeader+n:]
	}
	if valid < len(data) {
		if err := j.f.Truncate(journalFileHeader + int64(valid)); err != nil {
			return fmt.Errorf("audit journal %s: cutting a torn record: %w", j.path, err)
		}
	}
	j.size = journalFileHeader + int64(valid)
	j.queued.Store(int64(len(j.pending)))
	if len(j.pending) > 0 {
		j.first = j.now()
	}
	return nil
}

// takes reports whether op's events may go to the journal: events alone (no change with
// them) that record a read.
func (j *auditJournal) takes(op *writeOp) bool {
	return j != nil && !j.broken && op.relaxed && op.simple && len(op.stmts) == 0
}

func (j *auditJournal) takesAll(ops []*writeOp) bool {
	for _, op := range ops {
		if !j.takes(op) {
			return false
		}
	}
	return true
}

// append writes the events of ops in one write(2) and answers each op. An op whose events
// do not validate fails alone; if the write fails, every op fails and the file is cut back.
func (j *auditJournal) append(ops []*writeOp) {
	if len(j.pending) >= journalMaxPending {
		for _, op := range ops {
			op.done <- errJournalFull
		}
		return
	}
	j.buf = j.buf[:0]
	errs := make([]error, len(ops))
	start := len(j.pending)
	next := j.next
	for i, op := range ops {
		mark, keep := len(j.buf), len(j.pending)
		for k := range op.events {
			ev := op.events[k]
			if err := ev.Validate(); err != nil {
				errs[i] = err
				break
			}
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
		if errs[i] != nil {
			j.buf, j.pending = j.buf[:mark], j.pending[:keep]
			next = j.next + uint64(len(j.pending)-start)
		}
	}
	if len(j.pending) > start {
		err := j.failWrite
		if err == nil {
			_, err = j.f.Write(j.buf)
		}
		if err != nil {
			err = fmt.Errorf("audit journal: %w", err)
			if terr := j.f.Truncate(j.size); terr != nil {
				j.broken = true
			}
			clear(j.pending[start:])
			j.pending = j.pending[:start]
			for i := range errs {
				if errs[i] == nil {
					errs[i] = err
				}
			}
		} else {
			j.size += int64(len(j.buf))
			j.next = next
			if start == 0 {
				j.first = j.now()
			}
			j.queued.Store(int64(len(j.pending)))
		}
	}
	for i, op := range ops {
		op.done <- errs[i]
	}
}

// last is the jseq of the newest pending record.
func (j *auditJournal) last() uint64 { return j.next - 1 }

// mark is the statement that records, in the transaction moving them in, that the pending
// records are in the database.
func (j *auditJournal) mark() statement {
	return statement{j.markSQL, []any{j.id, int64(j.last())}}
}

// due reports whether the pending events should be moved into the database now.
func (j *auditJournal) due() bool {
	return len(j.pending) >= journalIngestEvents || (len(j.pending) > 0 && j.now().Sub(j.first) >= journalIngestDelay)
}

// wake returns a channel that fires when the pending events are due by age (nil: none).
func (j *auditJournal) wake() <-chan time.Time {
	if j == nil || len(j.pending) == 0 {
		return nil
	}
	if !j.armed {
		d := max(journalIngestDelay-j.now().Sub(j.first), 0)
		if j.timer == nil {
			j.timer = time.NewTimer(d)
		} else {
			j.timer.Reset(d)
		}
		j.armed = true
	}
	return j.timer.C
}

// moved is told that the first n pending events were committed into audit_events: they
// leave the journal, and the file is emptied once nothing is pending.
func (j *auditJournal) moved(n int) {
	clear(j.pending[:n])
	j.pending = append(j.pending[:0], j.pending[n:]...)
	j.queued.Store(int64(len(j.pending)))
	if j.timer != nil && j.armed {
		j.timer.Stop()
	}
	j.armed = false
	if len(j.pending) > 0 {
		j.first = j.now()
		return
	}
	// audit_journal_mark already says these records are in: if the cut fails, the next
	// open skips them. A journal broken by a write that could not be undone is whole again.
	if err := j.f.Truncate(journalFileHeader); err == nil {
		j.size, j.broken = journalFileHeader, false
	}
}

func (j *auditJournal) close() error {
	if j == nil {
		return nil
	}
	if j.timer != nil {
		j.timer.Stop()
	}
	return j.f.Close()
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
