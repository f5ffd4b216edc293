package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
)

// Kind names what is wrong with the trail.
type Kind string

const (
	// KindEdited: an event's stored bytes are not what was chained (a column changed, or
	// an event was replaced or inserted in the middle).
	KindEdited Kind = "edited"
	// KindMissing: a seq is absent (an event was deleted).
	KindMissing Kind = "missing"
	// KindReordered: a row holds the body of another seq (events swapped or moved).
	KindReordered Kind = "reordered"
	// KindInserted: rows beyond the chain head (added behind kinko's back).
	KindInserted Kind = "inserted"
	// KindTailCut: the trail ends before a checkpoint or the chain head it must reach.
	KindTailCut Kind = "tail cut"
	// KindCheckpoint: a checkpoint's MAC does not verify, or the chain no longer matches a
	// checkpoint (rewritten, or verified with another master key).
	KindCheckpoint Kind = "checkpoint"
	// KindIndex: the customer index disagrees with the events (a "who saw this customer"
	// answer would be wrong).
	KindIndex Kind = "index"
)

// Problem is the first thing wrong with a trail.
type Problem struct {
	Seq    uint64 // the first event that is not as written (for a tail cut: the first missing one)
	Kind   Kind
	Detail string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("audit trail damaged at event %d (%s): %s", p.Seq, p.Kind, p.Detail)
}

// Report is the outcome of Verify.
type Report struct {
	Events     uint64      // events verified (seq Cut.Seq+1..Cut.Seq+Events; 1..Events when never pruned)
	Cut        *Checkpoint // the retention cut the chain starts from (nil: never pruned)
	Checkpoint *Checkpoint // the newest checkpoint that verified (nil: none)
	// CheckpointSource says where the newest checkpoint came from: "database", "file" or
	// "database and file".
	CheckpointSource string
	// Unsigned is the number of events after the newest checkpoint: no signature covers
	// them yet (they could be cut without notice, docs/audit.md).
	Unsigned uint64
	Warnings []string
	Problem  *Problem // nil when the trail is intact
	Elapsed  time.Duration
}

// verifyPage is how many events one query reads: large enough to amortise a query, small
// enough that a read transaction stays short (SQLite's WAL can be checkpointed meanwhile).
const verifyPage = 32768

// Verify reads the whole trail and checks, for every event: its seq follows the previous
// one, its body is a well-formed encoding of that seq, its columns say what its body says,
// its hash is SHA-256(previous hash || body), and the customer index names exactly its
// customers; then that the chain reaches its head row, and that every checkpoint (database
// and the file at checkpointPath, "" to skip the file) verifies under kr and matches the
// chain. An intact trail gives a Report with Problem nil; a damaged one names the first bad
// event in Problem. The error is for failures to read.
//
// Events are checked in parallel ranges (each event needs only its predecessor's stored
// hash), so verification uses every core.
func Verify(ctx context.Context, db *store.DB, kr *keyring.Keyring, checkpointPath string) (*Report, error) {
	start := time.Now()
	rep := &Report{}
	x, err := db.AuditExtent(ctx)
	if err != nil {
		return nil, err
	}
	n := x.MaxSeq
	// Read after the extent: the summaries cover at least the events up to x.Indexed.
	sums, err := db.AuditSummaries(ctx)
	if err != nil {
		return nil, err
	}

	// A retention cut (retention.go): the chain starts from its signed hash instead of the
	// genesis. Without one, the chain must start at seq 1.
	var problems []*Problem
	var base uint64
	from := record.Genesis
	cut, err := readCut(ctx, db)
	switch {
	case err != nil && !errors.Is(err, errMalformedCut):
		return nil, err
	case err != nil:
		problems = append(problems, &Problem{Seq: 1, Kind: KindCheckpoint, Detail: "the retention cut is malformed"})
	case cut != nil:
		if err := checkCut(cut, kr); err != nil {
			problems = append(problems, &Problem{Seq: 1, Kind: KindCheckpoint,
				Detail: fmt.Sprintf("the retention cut at seq %d: %v (the first events were deleted, or this is not the master key that signed it)", cut.Seq, err)})
		} else {
			base, from, rep.Cut = cut.Seq, cut.Hash, cut
			n = max(n, base)
		}
	}
	rep.Events = n - base

	// Checkpoints: MACs first (cheap), matched against the chain during the scan.
	rows, err := db.AuditCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	var cps []Checkpoint // verified, by seq
	keys := map[uint32]error{}
	check := func(c *Checkpoint, where string) bool {
		err := c.verify(kr)
		if errors.Is(err, keyring.ErrUnknownVersion) {
			keys[c.KeyVersion] = err
			return false
		}
		if err != nil {
			problems = append(problems, &Problem{Seq: c.Seq, Kind: KindCheckpoint,
				Detail: fmt.Sprintf("the %s checkpoint at seq %d: %v (the chain was rewritten without the key, or this is not the master key that signed it)", where, c.Seq, err)})
			return false
		}
		return true
	}
	var newest *Checkpoint
	for _, r := range rows {
		c, ok := fromRow(r)
		if !ok {
			problems = append(problems, &Problem{Seq: r.Seq, Kind: KindCheckpoint, Detail: fmt.Sprintf("the database checkpoint at seq %d is malformed", r.Seq)})
			continue
		}
		if check(&c, "database") {
			cps = append(cps, c)
		}
	}
	if len(rows) > 0 {
		last, _ := fromRow(rows[len(rows)-1])
		if _, unknown := keys[last.KeyVersion]; unknown {
			problems = append(problems, &Problem{Seq: last.Seq, Kind: KindCheckpoint,
				Detail: fmt.Sprintf("the newest database checkpoint (seq %d) is signed with master key version %d, which this keyring does not have", last.Seq, last.KeyVersion)})
		}
	}
	if len(cps) > 0 {
		newest = &cps[len(cps)-1]
		rep.CheckpointSource = "database"
	}
	if checkpointPath != "" {
		fc, err := ReadCheckpointFile(checkpointPath)
		switch {
		case errors.Is(err, ErrNoCheckpointFile):
			rep.Warnings = append(rep.Warnings, "no checkpoint file at "+checkpointPath+": a cut of the trail together with its checkpoint table would not be noticed")
		case err != nil:
			problems = append(problems, &Problem{Seq: 1, Kind: KindCheckpoint, Detail: err.Error()})
		default:
			if err := fc.verify(kr); err != nil {
				problems = append(problems, &Problem{Seq: fc.Seq, Kind: KindCheckpoint,
					Detail: fmt.Sprintf("the checkpoint file (seq %d): %v", fc.Seq, err)})
			} else {
				switch {
				case newest == nil || fc.Seq > newest.Seq:
					newest, rep.CheckpointSource = &fc, "file"
				case fc.Seq == newest.Seq && fc.Hash == newest.Hash:
					rep.CheckpointSource = "database and file"
				}
				cps = append(cps, fc)
			}
		}
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].Seq < cps[j].Seq })
	rep.Checkpoint = newest
	if newest == nil && n > 0 {
		rep.Warnings = append(rep.Warnings, "no checkpoint: nothing signed binds the chain to the master key")
	}
	if len(keys) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d older checkpoint key version(s) retired from the keyring: those checkpoints were skipped", len(keys)))
	}
	for _, c := range cps {
		if c.Seq > n {
			problems = append(problems, &Problem{Seq: n + 1, Kind: KindTailCut,
				Detail: fmt.Sprintf("the trail ends at seq %d but a checkpoint signed seq %d", n, c.Seq)})
			break
		}
	}

	// The chain, in parallel ranges.
	workers := 1
	if n-base >= 4*verifyPage {
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	var wg sync.WaitGroup
	found := make([]*Problem, workers)
	gaps := make([]*Problem, workers) // events the buckets' summaries miss (ranger.sumProb)
	errs := make([]error, workers)
	lastHash := make([][]byte, workers)
	for w := range workers {
		lo, hi := base+(n-base)*uint64(w)/uint64(workers), base+(n-base)*uint64(w+1)/uint64(workers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd, err := db.NewAuditReader(ctx)
			if err != nil {
				errs[w] = err
				return
			}
			defer rd.Close()
			v := &ranger{db: db, rd: rd, cps: cps, base: base, start: from, indexed: x.Indexed, sums: sums}
			found[w], errs[w] = v.run(ctx, lo, hi)
			gaps[w] = v.sumProb
			lastHash[w] = v.prev[:]
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, p := range found {
		if p != nil {
			problems = append(problems, p)
		}
	}
	if n > 0 && found[workers-1] == nil {
		switch last := lastHash[workers-1]; {
		case x.HeadSeq > n:
			problems = append(problems, &Problem{Seq: n + 1, Kind: KindTailCut,
				Detail: fmt.Sprintf("the chain head says seq %d but the last event is seq %d", x.HeadSeq, n)})
		case x.HeadSeq < n:
			problems = append(problems, &Problem{Seq: x.HeadSeq + 1, Kind: KindInserted,
				Detail: fmt.Sprintf("events after the chain head (seq %d) up to seq %d were added outside kinko", x.HeadSeq, n)})
		case !bytes.Equal(x.HeadHash, last):
			problems = append(problems, &Problem{Seq: n, Kind: KindEdited,
				Detail: "the chain head's hash does not match the last event's"})
		}
	} else if n == 0 && x.HeadSeq > 0 {
		problems = append(problems, &Problem{Seq: 1, Kind: KindTailCut,
			Detail: fmt.Sprintf("the trail is empty but the chain head says seq %d", x.HeadSeq)})
	}
	if len(problems) == 0 {
		// A gap in the summaries is reported when the chain itself is sound: an event forged
		// into a rewritten chain is missing from them too, and the chain says more.
		for _, p := range gaps {
			if p != nil {
				problems = append(problems, p)
			}
		}
	}
	if len(problems) > 0 {
		rep.Problem = slices.MinFunc(problems, func(a, b *Problem) int {
			switch {
			case a.Seq < b.Seq:
				return -1
			case a.Seq > b.Seq:
				return 1
			}
			return 0
		})
	}
	if newest != nil && newest.Seq <= n {
		rep.Unsigned = n - newest.Seq
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// ranger verifies one contiguous range of seqs.
type ranger struct {
	db    *store.DB
	rd    *store.AuditReader    // this range's own (a reader is not shared between goroutines)
	base  uint64                // the retention cut's seq (0: none)
	start [record.HashSize]byte // the hash the chain starts from at base
	cps   []Checkpoint          // verified checkpoints, by seq
	ci    int
	prev  [record.HashSize]byte
	next  uint64 // the seq expected next
	chain *record.Chainer
	good  uint64 // highest checkpoint seq matched so far (for locating a rewrite)
	// indexed is the indexes' progress mark when verification began: an event after it
	// may have no index rows yet (the indexer writes them behind the trail). sums are the
	// buckets' summaries (actors, actions, times), which must list every event up to it.
	indexed uint64
	sums    map[int64]*store.AuditSummary
	sum     *store.AuditSummary // the current event's bucket's
	sumOf   int64
	sumProb *Problem // the first event the summaries miss

	// the customer index of the current page: entries in seq, id order
	ixSeq  []uint64
	ixOff  []int
	ixBuf  []byte
	ix     int
	bodyID [][]byte
	prob   *Problem
}

var errStop = errors.New("stop")

func (v *ranger) fail(seq uint64, k Kind, format string, args ...any) error {
	v.prob = &Problem{Seq: seq, Kind: k, Detail: fmt.Sprintf(format, args...)}
	return errStop
}

// run checks seqs in (lo, hi].
func (v *ranger) run(ctx context.Context, lo, hi uint64) (*Problem, error) {
	v.chain = record.NewChainer()
	v.next = lo + 1
	if lo == v.base {
		v.prev = v.start
	} else {
		h, err := v.db.AuditHash(ctx, lo)
		if errors.Is(err, store.ErrNotFound) || (err == nil && len(h) != record.HashSize) {
			// The range before this one reports the missing or damaged event.
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		copy(v.prev[:], h)
	}
	for v.ci < len(v.cps) && v.cps[v.ci].Seq <= lo {
		if c := &v.cps[v.ci]; c.Seq == lo && lo == v.base && v.base > 0 && c.Hash != v.start {
			return &Problem{Seq: lo + 1, Kind: KindCheckpoint, Detail: fmt.Sprintf("the checkpoint at seq %d does not sign the hash the retention cut names", lo)}, nil
		}
		v.good = v.cps[v.ci].Seq
		v.ci++
	}
	for after := lo; after < hi; after += verifyPage {
		upto := min(after+verifyPage, hi)
		if err := v.loadIndex(ctx, after, upto); err != nil {
			return nil, err
		}
		err := v.rd.ScanAudit(ctx, after, upto, v.event)
		if errors.Is(err, errStop) {
			return v.prob, nil
		}
		if err != nil {
			return nil, err
		}
		if v.next <= upto {
			return &Problem{Seq: v.next, Kind: KindMissing, Detail: fmt.Sprintf("no event with seq %d: it was deleted", v.next)}, nil
		}
		if v.ix < len(v.ixSeq) {
			s := v.ixSeq[v.ix]
			return &Problem{Seq: s, Kind: KindIndex, Detail: fmt.Sprintf("the customer index has a row for event %d that the event does not name", s)}, nil
		}
	}
	return nil, nil
}

func (v *ranger) loadIndex(ctx context.Context, after, upto uint64) error {
	v.ixSeq, v.ixOff, v.ixBuf, v.ix = v.ixSeq[:0], v.ixOff[:0], v.ixBuf[:0], 0
	return v.rd.ScanAuditCustomers(ctx, after, upto, func(seq uint64, id []byte) error {
		v.ixSeq = append(v.ixSeq, seq)
		v.ixOff = append(v.ixOff, len(v.ixBuf))
		v.ixBuf = append(v.ixBuf, id...)
		return nil
	})
}

func (v *ranger) ixID(i int) []byte {
	end := len(v.ixBuf)
	if i+1 < len(v.ixOff) {
		end = v.ixOff[i+1]
	}
	return v.ixBuf[v.ixOff[i]:end]
}

func (v *ranger) event(r *store.AuditRaw) error {
	seq := uint64(r.Seq)
	switch {
	case r.Seq <= 0 || seq < v.next:
		return v.fail(v.next, KindReordered, "the row where event %d belongs says seq %d", v.next, r.Seq)
	case seq > v.next:
		return v.fail(v.next, KindMissing, "no event with seq %d: it was deleted", v.next)
	}
	if r.HeaderErr != nil {
		return v.fail(seq, KindEdited, "its body is not a valid event encoding (%v)", r.HeaderErr)
	}
	if r.Header.Seq != seq {
		return v.fail(seq, KindReordered, "the row for seq %d holds the event written as seq %d (events swapped or moved)", seq, r.Header.Seq)
	}
	if !r.ColumnsMatch {
		return v.fail(seq, KindEdited, "its time, actor or action column does not match the hashed event")
	}
	if !bytes.Equal(v.chain.Next(v.prev[:], r.Body), r.Hash) {
		return v.fail(seq, KindEdited, "its hash does not chain from the previous event (the event was edited, inserted or replaced)")
	}
	copy(v.prev[:], r.Hash)
	// Customer index: exactly the body's customers, once each.
	v.bodyID = v.bodyID[:0]
	record.Customers(r.Body, func(id []byte) { v.bodyID = append(v.bodyID, id) })
	if len(v.bodyID) > 1 {
		slices.SortFunc(v.bodyID, bytes.Compare)
		v.bodyID = slices.CompactFunc(v.bodyID, bytes.Equal)
	}
	if v.ix < len(v.ixSeq) && v.ixSeq[v.ix] < seq {
		return v.fail(v.ixSeq[v.ix], KindIndex, "the customer index has a row for event %d that the event does not name", v.ixSeq[v.ix])
	}
	if seq <= v.indexed {
		if b := store.AuditBucket(seq); v.sum == nil || v.sumOf != b {
			v.sum, v.sumOf = v.sums[b], b
		}
		h, sum := &r.Header, v.sum
		if v.sumProb == nil && (sum == nil || !sum.Actors[string(h.Actor)] || !sum.Actions[string(h.Action)] || !sum.Timed || h.Micros < sum.First || h.Micros > sum.Last) {
			// Reported only if nothing else is wrong in this range: an event forged in a
			// rewritten chain is not in the summaries either, and the chain says more.
			v.sumProb = &Problem{Seq: seq, Kind: KindIndex, Detail: "the summary of its bucket of events does not list its actor, action or time (a query by them would not find it)"}
		}
	}
	if seq > v.indexed && (v.ix >= len(v.ixSeq) || v.ixSeq[v.ix] != seq) {
		v.bodyID = v.bodyID[:0] // not indexed yet: no rows is right, as is every row
	}
	for _, id := range v.bodyID {
		if v.ix >= len(v.ixSeq) || v.ixSeq[v.ix] != seq || !bytes.Equal(v.ixID(v.ix), id) {
			return v.fail(seq, KindIndex, "the customer index does not list every customer the event names")
		}
		v.ix++
	}
	if v.ix < len(v.ixSeq) && v.ixSeq[v.ix] == seq {
		return v.fail(seq, KindIndex, "the customer index names a customer the event does not")
	}
	// Checkpoints at this seq must sign this hash.
	for v.ci < len(v.cps) && v.cps[v.ci].Seq <= seq {
		c := &v.cps[v.ci]
		if c.Seq == seq {
			if !bytes.Equal(c.Hash[:], r.Hash) {
				return v.fail(v.good+1, KindCheckpoint, "the chain up to seq %d is not the one its checkpoint signed: events after seq %d were rewritten", seq, v.good)
			}
			v.good = seq
		}
		v.ci++
	}
	v.next++
	return nil
}
