// Package keyring holds kinko's master keys (the key-encryption keys) and uses them, through
// seal, to wrap and unwrap data keys. The master keys live in a key file beside the data
// (mode 0600; kinko refuses a file that group or others can read) or in KINKO_MASTER_KEY;
// never in the database.
//
// Invariants:
//   - The active version wraps; every version still holding key material unwraps.
//   - The key set is replaced as a whole (copy on write), so a reader never sees half a
//     rotation; a running server picks up a rotation made by the CLI by re-reading the file.
//   - Key material never appears in an error, a log line or a String method.
//
// The key-file layout is documented byte by byte in docs/format.md.
package keyring

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
)

// State of a master key version.
type State uint8

const (
	// Active wraps new keys. Exactly one version is active.
	Active State = 1
	// DecryptOnly unwraps keys still wrapped under it; set while a rotation moves them.
	DecryptOnly State = 2
	// Retired versions had their key material destroyed once nothing used them.
	Retired State = 3
)

func (s State) String() string {
	switch s {
	case Active:
		return "active"
	case DecryptOnly:
		return "decrypt-only"
	case Retired:
		return "retired"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Version is one master key version as stored in the key file.
type Version struct {
	Number  uint32
	State   State
	Created time.Time
	raw     []byte // nil when retired
}

// keySet is an immutable snapshot of the versions.
type keySet struct {
	versions []Version // ascending by Number
	keys     map[uint32]seal.Key
	raw      map[uint32][]byte // for Derive; never leaves this package underived
	active   uint32
}

// ErrUnknownVersion means a wrapped key names a master key version this keyring lacks
// (retired, or from another installation).
var ErrUnknownVersion = errors.New("keyring: master key version not available")

// Keyring is the set of master key versions in use.
type Keyring struct {
	set    atomic.Pointer[keySet]
	path   string // key file, or "" when the key came from the environment
	sealer seal.Sealer

	mu      sync.Mutex // serialises reloads
	modTime time.Time
	size    int64
}

// FileName is the key file's name inside the data folder.
const FileName = "kinko.key"

// EnvKey is the environment variable that may carry the master key instead of a file.
const EnvKey = "KINKO_MASTER_KEY"

// Create writes a new key file at path with one active version and returns the keyring.
// It refuses to overwrite an existing file.
func Create(path string, rnd io.Reader) (*Keyring, error) {
	raw, err := seal.NewRandomKey(rnd)
	if err != nil {
		return nil, err
	}
	set, err := newKeySet([]Version{{Number: 1, State: Active, Created: time.Now().UTC().Truncate(time.Second), raw: raw}})
	if err != nil {
		return nil, err
	}
	if err := writeFile(path, set.versions, false); err != nil {
		return nil, err
	}
	kr := &Keyring{path: path, sealer: seal.Sealer{Rand: rnd}}
	kr.set.Store(set)
	kr.noteStat()
	return kr, nil
}

// Open loads the key file at path. It refuses a file that group or others may read.
func Open(path string, rnd io.Reader) (*Keyring, error) {
	kr := &Keyring{path: path, sealer: seal.Sealer{Rand: rnd}}
	if err := kr.load(); err != nil {
		return nil, err
	}
	return kr, nil
}

// FromEnv builds a keyring from the value of KINKO_MASTER_KEY: base64 (standard or URL
// alphabet) of either 32 raw bytes (master key version 1) or a whole key file.
func FromEnv(value string, rnd io.Reader) (*Keyring, error) {
	b, err := decodeBase64(strings.TrimSpace(value))
	if err != nil {
		return nil, fmt.Errorf("%s: not base64", EnvKey)
	}
	var versions []Version
	if len(b) == seal.KeySize {
		versions = []Version{{Number: 1, State: Active, raw: b}}
	} else if versions, err = parse(b); err != nil {
		return nil, fmt.Errorf("%s: neither a 32-byte key nor a key file: %w", EnvKey, err)
	}
	set, err := newKeySet(versions)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKey, err)
	}
	kr := &Keyring{sealer: seal.Sealer{Rand: rnd}}
	kr.set.Store(set)
	return kr, nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// Path is the key file behind the keyring, or "" for a key from the environment.
func (kr *Keyring) Path() string { return kr.path }

// Versions lists the versions, ascending.
func (kr *Keyring) Versions() []Version {
	return append([]Version(nil), kr.set.Load().versions...)
}

// ActiveVersion is the version that wraps new keys.
func (kr *Keyring) ActiveVersion() uint32 { return kr.set.Load().active }

// Wrap encrypts a data key under the active master version; ad is built by the caller with
// seal.DEKAD or seal.ShopKeyAD for that version (adFor receives the version).
func (kr *Keyring) Wrap(dek []byte, adFor func(version uint32) []byte) (uint32, []byte, error) {
	set := kr.set.Load()
	wrapped, err := kr.sealer.Seal(set.keys[set.active], dek, adFor(set.active))
	if err != nil {
		return 0, nil, err
	}
	return set.active, wrapped, nil
}

// Unwrap opens a data key wrapped under master version v. When v is unknown the key file is
// re-read once: a rotation by the CLI may have added it.
func (kr *Keyring) Unwrap(v uint32, wrapped, ad []byte) ([]byte, error) {
	k, ok := kr.set.Load().keys[v]
	if !ok {
		if err := kr.Reload(); err != nil {
			return nil, err
		}
		if k, ok = kr.set.Load().keys[v]; !ok {
			return nil, ErrUnknownVersion
		}
	}
	return seal.Open(k, wrapped, ad)
}

// Derive returns a subkey of the active master key version for purpose (HKDF-SHA-256; use
// a purpose string of the form "kinko/<what>/v1"), with the version it came from.
func (kr *Keyring) Derive(purpose string) (uint32, []byte, error) {
	set := kr.set.Load()
	k, err := seal.Derive(set.raw[set.active], purpose)
	return set.active, k, err
}

// DeriveVersion derives purpose's subkey from master version v (re-reading the key file
// once if v is unknown).
func (kr *Keyring) DeriveVersion(v uint32, purpose string) ([]byte, error) {
	raw, ok := kr.set.Load().raw[v]
	if !ok {
		if err := kr.Reload(); err != nil {
			return nil, err
		}
		if raw, ok = kr.set.Load().raw[v]; !ok {
			return nil, ErrUnknownVersion
		}
	}
	return seal.Derive(raw, purpose)
}

// Reload re-reads the key file when it changed since the last read. A keyring from the
// environment never changes.
func (kr *Keyring) Reload() error {
	if kr.path == "" {
		return nil
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	fi, err := os.Stat(kr.path)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	if fi.ModTime().Equal(kr.modTime) && fi.Size() == kr.size {
		return nil
	}
	return kr.loadLocked()
}

func (kr *Keyring) load() error {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	return kr.loadLocked()
}

func (kr *Keyring) loadLocked() error {
	f, err := os.Open(kr.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("key file %s does not exist (run kinko init, or set %s)", kr.path, EnvKey)
		}
		return fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("key file %s is readable by group or others (mode %04o); run: chmod 600 %s", kr.path, fi.Mode().Perm(), kr.path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	versions, err := parse(b)
	if err != nil {
		return fmt.Errorf("key file %s: %w", kr.path, err)
	}
	set, err := newKeySet(versions)
	if err != nil {
		return fmt.Errorf("key file %s: %w", kr.path, err)
	}
	// A server keeps versions it already holds even if the file retired them meanwhile: a
	// key it wrapped a moment before the retirement must stay readable until restart, and
	// rotate waits for servers to switch (see Rotate) so that window is closed in practice.
	if old := kr.set.Load(); old != nil {
		for v, k := range old.keys {
			if _, ok := set.keys[v]; !ok {
				set.keys[v] = k
				set.raw[v] = old.raw[v]
			}
		}
	}
	kr.set.Store(set)
	kr.modTime, kr.size = fi.ModTime(), fi.Size()
	return nil
}

func (kr *Keyring) noteStat() {
	if fi, err := os.Stat(kr.path); err == nil {
		kr.modTime, kr.size = fi.ModTime(), fi.Size()
	}
}

func newKeySet(versions []Version) (*keySet, error) {
	sort.Slice(versions, func(i, j int) bool { return versions[i].Number < versions[j].Number })
	set := &keySet{versions: versions, keys: map[uint32]seal.Key{}, raw: map[uint32][]byte{}}
	for i, v := range versions {
		if i > 0 && versions[i-1].Number == v.Number {
			return nil, fmt.Errorf("version %d appears twice", v.Number)
		}
		if v.State == Retired {
			continue
		}
		k, err := seal.NewKey(v.raw)
		if err != nil {
			return nil, fmt.Errorf("version %d: %w", v.Number, err)
		}
		set.keys[v.Number] = k
		set.raw[v.Number] = v.raw
		if v.State == Active {
			if set.active != 0 {
				return nil, errors.New("more than one active version")
			}
			set.active = v.Number
		}
	}
	if set.active == 0 {
		return nil, errors.New("no active version")
	}
	return set, nil
}

// File layout (docs/format.md): magic, count, entries, SHA-256 of everything before it.
var magic = []byte("KINKOKR1")

const entrySize = 4 + 1 + 8 + seal.KeySize

func marshal(versions []Version) []byte {
	b := append([]byte(nil), magic...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(versions)))
	for _, v := range versions {
		b = binary.BigEndian.AppendUint32(b, v.Number)
		b = append(b, byte(v.State))
		b = binary.BigEndian.AppendUint64(b, uint64(v.Created.Unix()))
		if v.State == Retired {
			b = append(b, make([]byte, seal.KeySize)...)
		} else {
			b = append(b, v.raw...)
		}
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func parse(b []byte) ([]Version, error) {
	if len(b) < len(magic)+2+sha256.Size || !bytes.Equal(b[:len(magic)], magic) {
		return nil, errors.New("not a kinko key file")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if want := sha256.Sum256(body); !bytes.Equal(want[:], sum) {
		return nil, errors.New("checksum mismatch (file damaged)")
	}
	n := int(binary.BigEndian.Uint16(body[len(magic):]))
	rest := body[len(magic)+2:]
	if len(rest) != n*entrySize {
		return nil, errors.New("length does not match its version count")
	}
	versions := make([]Version, n)
	for i := range versions {
		e := rest[i*entrySize : (i+1)*entrySize]
		v := Version{
			Number:  binary.BigEndian.Uint32(e),
			State:   State(e[4]),
			Created: time.Unix(int64(binary.BigEndian.Uint64(e[5:])), 0).UTC(),
		}
		if v.State < Active || v.State > Retired {
			return nil, fmt.Errorf("version %d has unknown state %d", v.Number, e[4])
		}
		if v.State != Retired {
			v.raw = append([]byte(nil), e[13:]...)
		} else if !bytes.Equal(e[13:], make([]byte, seal.KeySize)) {
			return nil, fmt.Errorf("version %d is retired but still holds key material", v.Number)
		}
		versions[i] = v
	}
	return versions, nil
}

// writeFile writes the key file atomically (temp file, fsync, rename, fsync of the folder)
// with mode 0600. With replace false it refuses to overwrite an existing file.
func writeFile(path string, versions []Version, replace bool) error {
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("key file %s already exists", path)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".kinko.key.*")
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if _, err := tmp.Write(marshal(versions)); err != nil {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if !replace {
		// Link fails if path appeared meanwhile: never clobber a key file by accident.
		if err := os.Link(tmp.Name(), path); err != nil {
			return fmt.Errorf("key file: %w", err)
		}
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
