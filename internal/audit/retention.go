package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
)

// MinRetentionMonths is the shortest retention Prune accepts: PCI DSS 10.5.1 asks for at
// least 12 months of audit history.
const MinRetentionMonths = 12

// cutLabel separates a retention cut's MAC from a checkpoint's: a checkpoint somewhere in
// the trail can never be passed off as the point where the trail legitimately begins.
const cutLabel = "kinko audit cut v1\x00"

// A retention cut is a Checkpoint signed under cutLabel: "the events up to Seq, the last of
// which hashed to Hash, were removed because they were older than Time". Verification starts
// the chain from it.

// readCut returns the stored cut (nil when the trail was never pruned).
func readCut(ctx context.Context, db *store.DB) (*Checkpoint, error) {
	r, err := db.AuditCut(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, ok := fromRow(r)
	if !ok {
		return &c, errMalformedCut
	}
	return &c, nil
}

var errMalformedCut = errors.New("the retention cut is malformed")

// PruneResult says what Prune removed.
type PruneResult struct {
	Before  time.Time // events older than this were candidates
	CutSeq  uint64    // the last event removed (0: nothing was ever pruned)
	Removed int64     // events removed by this call
}

// ErrRetentionTooShort: a retention below MinRetentionMonths was asked for.
var ErrRetentionTooShort = fmt.Errorf("audit: events must be kept at least %d months (PCI DSS 10.5.1)", MinRetentionMonths)

// Prune removes the events written more than keepMonths months ago (at least
// MinRetentionMonths), keeping the chain verifiable: it checkpoints the head, verifies the
// whole trail (a damaged trail is never pruned: that would destroy the evidence), then, in
// one transaction, stores a cut signed with the checkpoint key that names the last event
// removed and its hash, and deletes the events up to it. Only a prefix of the trail is
// removed: the cut is just before the oldest event written at or after the limit, so no
// younger event goes even if the clock once ran backwards.
func (t *Trail) Prune(ctx context.Context, keepMonths int) (PruneResult, error) {
	if keepMonths < MinRetentionMonths {
		return PruneResult{}, ErrRetentionTooShort
	}
	before := t.now().UTC().AddDate(0, -keepMonths, 0).Truncate(time.Microsecond)
	res := PruneResult{Before: before}
	old, err := readCut(ctx, t.db)
	if err != nil {
		return res, err
	}
	if old != nil {
		res.CutSeq = old.Seq
	}
	first, found, err := t.db.AuditFirstSeqFrom(ctx, before)
	if err != nil {
		return res, err
	}
	x, err := t.db.AuditExtent(ctx)
	if err != nil {
		return res, err
	}
	upto := x.HeadSeq
	if found {
		upto = first - 1
	}
	if upto == 0 || (old != nil && upto <= old.Seq) {
		return res, nil // nothing old enough
	}
	// A signed checkpoint at the head first: after the cut, verification still has one
	// beyond it (and the file keeps catching a cut tail).
	if _, err := t.Checkpoint(ctx); err != nil {
		return res, err
	}
	rep, err := Verify(ctx, t.db, t.kr, t.path)
	if err != nil {
		return res, err
	}
	if rep.Problem != nil {
		return res, fmt.Errorf("audit: not pruning a damaged trail (%v): keep the evidence and investigate", rep.Problem)
	}
	h, err := t.db.AuditHash(ctx, upto)
	if err != nil {
		return res, fmt.Errorf("audit: reading event %d for the cut: %w", upto, err)
	}
	cut := Checkpoint{Seq: upto, Time: before}
	if len(h) != len(cut.Hash) {
		return res, fmt.Errorf("audit: event %d has a damaged hash; not pruning", upto)
	}
	copy(cut.Hash[:], h)
	if err := cut.signWith(t.kr, cutLabel); err != nil {
		return res, err
	}
	n, err := t.db.PruneAudit(ctx, cut.row())
	if err != nil {
		return res, err
	}
	res.CutSeq, res.Removed = upto, n
	return res, nil
}

// ActionKeyRetire records that old master-key versions are about to be retired.
const ActionKeyRetire = "master_key_retire"

// PrepareRetire readies the trail for retiring old master-key versions: it records the
// retirement (an event by "system", so the chain head moves even when nothing else
// happened since the last checkpoint), signs a checkpoint of it under the current version
// (in the database and the file), and re-signs the retention cut. Afterwards the newest
// checkpoint and the cut verify without the old versions.
func (t *Trail) PrepareRetire(ctx context.Context, detail string) error {
	if err := t.Append(ctx, Event{Actor: "system", Action: ActionKeyRetire, Reason: detail, Outcome: OK}); err != nil {
		return err
	}
	if _, err := t.Checkpoint(ctx); err != nil {
		return err
	}
	return t.ResignCut(ctx)
}

// ResignCut signs the retention cut again with the current master-key version, after
// checking it under the version that signed it. Key rotation calls it before retiring old
// versions, so the cut stays verifiable.
func (t *Trail) ResignCut(ctx context.Context) error {
	c, err := readCut(ctx, t.db)
	if err != nil || c == nil {
		return err
	}
	v, _, err := t.kr.Derive(CheckpointPurpose)
	if err != nil {
		return fmt.Errorf("audit: checkpoint key: %w", err)
	}
	if c.KeyVersion == v {
		return nil
	}
	if err := c.verifyWith(t.kr, cutLabel); err != nil {
		return fmt.Errorf("audit: the retention cut does not verify (%v); not re-signing it (run kinko audit verify)", err)
	}
	if err := c.signWith(t.kr, cutLabel); err != nil {
		return err
	}
	return t.db.ReplaceAuditCut(ctx, c.row())
}

// checkCut verifies a stored cut's MAC.
func checkCut(c *Checkpoint, kr *keyring.Keyring) error {
	err := c.verifyWith(kr, cutLabel)
	if errors.Is(err, keyring.ErrUnknownVersion) {
		return fmt.Errorf("it is signed with master key version %d, which this keyring does not have", c.KeyVersion)
	}
	return err
}
