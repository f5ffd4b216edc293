package vault

import (
	"context"
	"fmt"
	"time"

	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
)

// RotateOptions control a master key rotation.
type RotateOptions struct {
	// Grace is how long to wait after the new version is written before the final sweep,
	// so that running servers (which re-read the key file every second) stop wrapping under
	// the old version before it is retired.
	Grace time.Duration
	// Progress, when set, is called after each batch with keys re-wrapped so far and the
	// number still on old versions when the pass began.
	Progress func(done, total int)
	// BeforeRetire, when set, runs once every key is re-wrapped and before old versions are
	// destroyed: the audit trail signs a checkpoint under the new version there, so that
	// the latest checkpoint stays verifiable once the old version is gone.
	BeforeRetire func(ctx context.Context) error
}

// RotateResult says what a rotation did.
type RotateResult struct {
	NewVersion uint32
	Rewrapped  int
	Retired    []uint32
}

const rewrapBatch = 500

// RotateMasterKey makes a new master key version active, re-wraps every customer data key
// and shop key under it (field ciphertext is untouched) and retires old versions once
// nothing is wrapped under them. A server running meanwhile keeps serving: it re-reads the
// key file, and a key not yet re-wrapped still opens under its old version.
func (v *Vault) RotateMasterKey(ctx context.Context, opt RotateOptions) (RotateResult, error) {
	nv, err := v.keys.AddVersion()
	if err != nil {
		return RotateResult{}, err
	}
	res := RotateResult{NewVersion: nv}
	// First pass right away, then wait out the grace period and sweep until nothing is left
	// under an old version (servers may have created customers before noticing the switch).
	for pass := 0; ; pass++ {
		if pass == 1 && opt.Grace > 0 {
			select {
			case <-time.After(opt.Grace):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		n, err := v.rewrapPass(ctx, nv, opt.Progress)
		res.Rewrapped += n
		if err != nil {
			return res, err
		}
		if pass >= 1 && n == 0 {
			break
		}
	}
	if opt.BeforeRetire != nil {
		if err := opt.BeforeRetire(ctx); err != nil {
			return res, err
		}
	}
	counts, err := v.db.KeyVersionCounts(ctx)
	if err != nil {
		return res, err
	}
	for _, ver := range v.keys.Versions() {
		if ver.State == keyring.DecryptOnly && counts[ver.Number] == 0 {
			if err := v.keys.Retire(ver.Number); err != nil {
				return res, err
			}
			res.Retired = append(res.Retired, ver.Number)
		}
	}
	return res, nil
}

func (v *Vault) rewrapPass(ctx context.Context, nv uint32, progress func(done, total int)) (int, error) {
	counts, err := v.db.KeyVersionCounts(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for ver, n := range counts {
		if ver < nv {
			total += n
		}
	}
	done := 0
	shops, err := v.db.Shops(ctx)
	if err != nil {
		return 0, err
	}
	for _, s := range shops {
		if s.KeyVersion >= nv {
			continue
		}
		root, err := v.keys.Unwrap(s.KeyVersion, s.WrappedKey, seal.ShopKeyAD(s.ID, s.KeyVersion))
		if err != nil {
			return done, fmt.Errorf("shop %s: %w", s.Name, err)
		}
		_, wrapped, err := v.keys.Wrap(root, func(ver uint32) []byte { return seal.ShopKeyAD(s.ID, ver) })
		if err != nil {
			return done, err
		}
		if err := v.db.RewrapShopKey(ctx, s.ID, s.KeyVersion, nv, wrapped); err != nil {
			return done, fmt.Errorf("shop %s: %w", s.Name, err)
		}
		done++
	}
	after := ""
	for {
		refs, err := v.db.WrappedKeysBelow(ctx, nv, after, rewrapBatch)
		if err != nil {
			return done, err
		}
		if len(refs) == 0 {
			return done, nil
		}
		batch := make([]store.Rewrap, 0, len(refs))
		for _, r := range refs {
			dek, err := v.keys.Unwrap(r.KeyVersion, r.WrappedDEK, seal.DEKAD(r.Shop, r.ID, r.KeyVersion))
			if err != nil {
				return done, fmt.Errorf("customer %s: %w", r.ID, err)
			}
			ver, wrapped, err := v.keys.Wrap(dek, func(ver uint32) []byte { return seal.DEKAD(r.Shop, r.ID, ver) })
			if err != nil {
				return done, err
			}
			batch = append(batch, store.Rewrap{ID: r.ID, OldVersion: r.KeyVersion, NewVersion: ver, WrappedDEK: wrapped})
		}
		n, err := v.db.RewrapDEKs(ctx, batch)
		if err != nil {
			return done, err
		}
		done += n
		after = refs[len(refs)-1].ID
		if progress != nil {
			progress(done, total)
		}
	}
}
