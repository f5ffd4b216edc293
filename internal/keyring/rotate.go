package keyring

import (
	"errors"
	"fmt"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
)

// AddVersion makes a new master key version active and demotes the current one to
// decrypt-only, writing the key file. Keys wrapped under older versions still open; the
// caller re-wraps them (vault.Rotate) and then calls Retire.
func (kr *Keyring) AddVersion() (uint32, error) {
	if kr.path == "" {
		return 0, errors.New("keys rotate needs a key file; a key given in " + EnvKey + " cannot be rotated in place (see docs/operations.md)")
	}
	if err := kr.Reload(); err != nil {
		return 0, err
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	raw, err := seal.NewRandomKey(kr.sealer.Rand)
	if err != nil {
		return 0, err
	}
	old := kr.set.Load()
	versions := make([]Version, 0, len(old.versions)+1)
	next := uint32(0)
	for _, v := range old.versions {
		if v.State == Active {
			v.State = DecryptOnly
		}
		versions = append(versions, v)
		next = max(next, v.Number)
	}
	next++
	versions = append(versions, Version{Number: next, State: Active, Created: time.Now().UTC().Truncate(time.Second), raw: raw})
	set, err := newKeySet(versions)
	if err != nil {
		return 0, err
	}
	if err := writeFile(kr.path, versions, true); err != nil {
		return 0, err
	}
	kr.set.Store(set)
	kr.noteStat()
	return next, nil
}

// Retire destroys the key material of version v, which must be decrypt-only. The caller
// must first make sure nothing is wrapped under it any more.
func (kr *Keyring) Retire(v uint32) error {
	if kr.path == "" {
		return errors.New("cannot retire a key given in " + EnvKey)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	old := kr.set.Load()
	versions := make([]Version, 0, len(old.versions))
	found := false
	for _, ver := range old.versions {
		if ver.Number == v {
			if ver.State != DecryptOnly {
				return fmt.Errorf("version %d is %s, not decrypt-only", v, ver.State)
			}
			found = true
			ver.State, ver.raw = Retired, nil
		}
		versions = append(versions, ver)
	}
	if !found {
		return fmt.Errorf("no master key version %d", v)
	}
	set, err := newKeySet(versions)
	if err != nil {
		return err
	}
	if err := writeFile(kr.path, versions, true); err != nil {
		return err
	}
	kr.set.Store(set)
	kr.noteStat()
	return nil
}
