// Package audit is kinko's tamper-evident trail: every action on customer data, every
// login and every key or role change is an Event, appended through the store's group
// commit and chained by SHA-256 to the one before it; the chain's head is checkpointed with
// an HMAC under a key derived from the master key, in the database and in a file beside the
// key file. Verify recomputes the chain and names the first event that is not what was
// written. docs/audit.md describes the format byte by byte and what verification does and
// does not prove.
//
// Invariants:
//   - An Event has no field for a value of personal data: identifiers, names of actions and
//     fields, reasons, outcomes, and the blind-index HMAC of a search term.
//   - Chain order is commit order: the store numbers and chains events inside the write
//     transaction, under a lock on the chain head.
//   - A checkpoint is never written behind an earlier one: a trail that was cut stays
//     visibly cut until someone looks (Checkpoint refuses and says why).
package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
)

// Event is one audited action (the fields are listed in internal/audit/record). Seq is set
// when the event is appended.
type Event = record.Event

// Outcomes.
const (
	OK      = "ok"
	Denied  = "denied"
	Refused = "refused"
	Error   = "error"
)

// Actions recorded today; others may be added (an action is a short lowercase name).
const (
	ActionCreate      = "create"
	ActionRead        = "read"
	ActionSearch      = "search"
	ActionUpdate      = "update"
	ActionReveal      = "reveal"
	ActionDelete      = "delete"
	ActionCardRefused = "card_refused"
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLockout     = "lockout"
	ActionRoleChange  = "role_change"
	ActionKeyCreated  = "key_created"
	ActionKeyRevoked  = "key_revoked"
)

// Automatic checkpoints. Events after the newest checkpoint can be cut from the end of the
// trail without verification noticing (docs/audit.md), so checkpoints come often: every
// CheckpointEvery events appended through a Trail, and every CheckpointInterval when the
// chain moved (events appended by other writes or other servers), and on Close. Each costs
// one small database write and one fsynced file.
const (
	CheckpointEvery    = 50000
	CheckpointInterval = 5 * time.Second
	// checkpointThin keeps the checkpoint table small: about one checkpoint per hour stays
	// (each one narrows where a rewrite happened), plus the newest.
	checkpointThin = time.Hour
)

// Trail appends events and keeps the chain checkpointed.
type Trail struct {
	db   *store.DB
	kr   *keyring.Keyring
	path string
	now  func() time.Time

	pending atomic.Int64 // events appended through this Trail since the last checkpoint
	kick    chan struct{}
	quit    chan struct{}
	wg      sync.WaitGroup
	closed  sync.Once

	mu      sync.Mutex // serialises checkpoints
	lastSeq uint64     // head seq at the last checkpoint this Trail made
	lastErr error      // the last automatic checkpoint's failure, reported by Err and Close
}

// Open starts a trail over db: events are chained by the store; checkpoints are signed with
// a key derived from kr and written to the database and to checkpointPath (normally
// CheckpointPath(kr.Path())). now is the clock (nil: time.Now).
func Open(ctx context.Context, db *store.DB, kr *keyring.Keyring, checkpointPath string, now func() time.Time) (*Trail, error) {
	if db == nil || kr == nil || checkpointPath == "" {
		return nil, errors.New("audit: a database, a keyring and a checkpoint path are required")
	}
	if now == nil {
		now = time.Now
	}
	t := &Trail{db: db, kr: kr, path: checkpointPath, now: now, kick: make(chan struct{}, 1), quit: make(chan struct{})}
	// Catch up at once: events written since the last run (or by another server) get their
	// checkpoint now, and a cut trail is reported before the server takes requests.
	if _, err := t.Checkpoint(ctx); err != nil {
		return nil, err
	}
	t.wg.Add(1)
	go t.loop()
	return t, nil
}

// AppendRead records events of actions that read rather than change (a read, a search, a
// reveal, a refusal): written before it returns, to the server's audit journal or the
// database (if it fails, nothing may be shown), but without waiting for the disk; journaled
// events join the chain when they are moved into the database, within 250 ms
// (docs/audit.md, "Durability of read events"). Checkpoints are signed only over events
// that are on disk, so a power cut cannot leave the trail looking cut.
func (t *Trail) AppendRead(ctx context.Context, events ...Event) error {
	if err := t.db.AppendAuditRelaxed(ctx, events); err != nil {
		return err
	}
	t.appended(len(events))
	return nil
}

// appended counts events towards the next checkpoint and asks for one every
// CheckpointEvery events.
func (t *Trail) appended(n int) {
	if t.pending.Add(int64(n)) >= CheckpointEvery {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
}

// Append records events in one durable write (batched with concurrent writes). It sets
// each event's Seq, and Time when it is zero. If it returns an error nothing was recorded
// and the action must not happen.
func (t *Trail) Append(ctx context.Context, events ...Event) error {
	if err := t.db.AppendAudit(ctx, events); err != nil {
		return err
	}
	t.appended(len(events))
	return nil
}

func (t *Trail) loop() {
	defer t.wg.Done()
	tick := time.NewTicker(CheckpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-t.quit:
			return
		case <-tick.C:
		case <-t.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := t.Checkpoint(ctx)
		cancel()
		t.mu.Lock()
		t.lastErr = err
		t.mu.Unlock()
	}
}

// Err reports the last automatic checkpoint's failure (nil when it succeeded). A server
// shows it to the owner: a trail that cannot be checkpointed has been cut or damaged.
func (t *Trail) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastErr
}

// Close stops automatic checkpoints and makes a last one.
func (t *Trail) Close() error {
	var err error
	t.closed.Do(func() {
		close(t.quit)
		t.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = t.Checkpoint(ctx)
	})
	return err
}

// Checkpoint signs the chain's current head and stores the checkpoint in the database and
// in the checkpoint file. It does nothing when the chain has not moved since the last one,
// or when another process stored a newer checkpoint while this one waited (the zero
// Checkpoint is returned then, and when the trail is empty). It refuses, with an error, to
// write a checkpoint behind the one in the file or one the chain no longer matches: that
// trail was cut or rewritten, and overwriting the evidence would hide it.
func (t *Trail) Checkpoint(ctx context.Context) (Checkpoint, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	x, err := t.db.AuditExtent(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if x.HeadSeq == 0 || x.HeadSeq == t.lastSeq {
		return Checkpoint{}, nil
	}
	if len(x.HeadHash) != record.HashSize {
		return Checkpoint{}, errors.New("audit: the chain head is damaged (run kinko audit verify)")
	}
	prior, err := ReadCheckpointFile(t.path)
	switch {
	case errors.Is(err, ErrNoCheckpointFile):
	case err != nil:
		return Checkpoint{}, fmt.Errorf("audit: %w; not overwriting it (run kinko audit verify)", err)
	default:
		if err := prior.verify(t.kr); err != nil {
			return Checkpoint{}, fmt.Errorf("audit: the checkpoint file %s does not verify (%v); not overwriting it (run kinko audit verify)", t.path, err)
		}
		if prior.Seq > x.HeadSeq {
			return Checkpoint{}, fmt.Errorf("audit: the trail ends at seq %d but the checkpoint file says seq %d: the trail was cut (run kinko audit verify)", x.HeadSeq, prior.Seq)
		}
		h, err := t.db.AuditHash(ctx, prior.Seq)
		if errors.Is(err, store.ErrNotFound) {
			// Pruned away (retention.go): the signed cut then names that event's hash.
			if cut, cerr := readCut(ctx, t.db); cerr == nil && cut != nil && cut.Seq == prior.Seq {
				h, err = cut.Hash[:], nil
			}
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Checkpoint{}, err
		}
		if !equal32(h, &prior.Hash) {
			return Checkpoint{}, fmt.Errorf("audit: event %d no longer matches the checkpoint file: the trail was rewritten (run kinko audit verify)", prior.Seq)
		}
	}
	cp := Checkpoint{Seq: x.HeadSeq, Time: t.now().UTC().Truncate(time.Microsecond)}
	copy(cp.Hash[:], x.HeadHash)
	if err := cp.sign(t.kr); err != nil {
		return Checkpoint{}, err
	}
	// PutAuditCheckpoint is a durable commit: it flushes the log up to itself, so every
	// event up to cp.Seq (read events committed without waiting for the disk included) is
	// on disk before the checkpoint file names it.
	if err := t.db.PutAuditCheckpoint(ctx, cp.row(), checkpointThin); err != nil {
		if errors.Is(err, store.ErrCheckpointSuperseded) {
			// Another process checkpointed further meanwhile; its file stands.
			return Checkpoint{}, nil
		}
		return Checkpoint{}, err
	}
	if err := writeCheckpointFile(t.path, &cp); err != nil {
		return Checkpoint{}, err
	}
	t.lastSeq = cp.Seq
	t.pending.Store(0)
	return cp, nil
}

// Verify checks the whole trail (see the package function Verify).
func (t *Trail) Verify(ctx context.Context) (*Report, error) {
	return Verify(ctx, t.db, t.kr, t.path)
}

// Query returns events matching f, newest first.
func (t *Trail) Query(ctx context.Context, f Filter) ([]Event, error) {
	return Query(ctx, t.db, f)
}

// QueryActions returns events matching f whose action is any of actions, newest first.
func (t *Trail) QueryActions(ctx context.Context, f Filter, actions []string) ([]Event, error) {
	return QueryActions(ctx, t.db, f, actions)
}

// Filter selects events; zero fields do not filter. From is inclusive, To exclusive.
// Limit defaults to 100 (at most 10000).
type Filter struct {
	Customer string
	Actor    string
	Action   string
	From, To time.Time
	Before   uint64 // only events with seq < Before (paging newest first); 0: no bound
	Limit    int
}

// Query returns the events matching f, newest first: "who saw this customer" (Customer)
// and "what did this person see" (Actor).
func Query(ctx context.Context, db *store.DB, f Filter) ([]Event, error) {
	return db.QueryAudit(ctx, store.AuditFilter{
		Customer: f.Customer, Actor: f.Actor, Action: f.Action, From: f.From, To: f.To, Before: f.Before, Limit: f.Limit,
	})
}

// QueryActions is Query for events whose action is any of actions (f.Action is ignored),
// newest first, at most f.Limit (default 100).
func QueryActions(ctx context.Context, db *store.DB, f Filter, actions []string) ([]Event, error) {
	var out []Event
	for _, a := range actions {
		f.Action = a
		evs, err := Query(ctx, db, f)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	slices.SortFunc(out, func(a, b Event) int { return cmp.Compare(b.Seq, a.Seq) })
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
