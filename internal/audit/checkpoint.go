package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
)

// CheckpointFileName is the checkpoint file, kept beside the key file: outside the
// database, so that cutting the trail and its checkpoint table together is still caught.
const CheckpointFileName = "kinko.audit-checkpoint"

// CheckpointPurpose names the checkpoint key derived from the master key.
const CheckpointPurpose = "kinko/audit-checkpoint/v1"

// macLabel separates checkpoint MACs from any other HMAC under a related key.
const macLabel = "kinko audit checkpoint v1\x00"

// CheckpointPath is the checkpoint file beside keyFile.
func CheckpointPath(keyFile string) string {
	return filepath.Join(filepath.Dir(keyFile), CheckpointFileName)
}

// Checkpoint is a signed statement: "the chain's hash at Seq is Hash", made at Time with
// a key derived from master key version KeyVersion.
type Checkpoint struct {
	Seq        uint64
	Hash       [record.HashSize]byte
	Time       time.Time
	KeyVersion uint32
	MAC        []byte
}

// message is what the MAC covers: a label, seq, hash, time and key version, fixed-size and
// big-endian, so no two checkpoints share a message.
func (c *Checkpoint) message() []byte { return c.messageWith(macLabel) }

// messageWith is message under another label (a retention cut's, retention.go): a MAC made
// for one kind of statement never verifies as the other.
func (c *Checkpoint) messageWith(label string) []byte {
	b := make([]byte, 0, len(label)+8+record.HashSize+8+4)
	b = append(b, label...)
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	b = append(b, c.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixMicro()))
	return binary.BigEndian.AppendUint32(b, c.KeyVersion)
}

func mac(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

func (c *Checkpoint) sign(kr *keyring.Keyring) error { return c.signWith(kr, macLabel) }

func (c *Checkpoint) signWith(kr *keyring.Keyring, label string) error {
	v, key, err := kr.Derive(CheckpointPurpose)
	if err != nil {
		return fmt.Errorf("audit: checkpoint key: %w", err)
	}
	c.KeyVersion = v
	c.MAC = mac(key, c.messageWith(label))
	return nil
}

// errBadMAC means a checkpoint's MAC does not verify under the master key at hand.
var errBadMAC = errors.New("its MAC does not verify under this master key")

// verify checks c's MAC; keyring.ErrUnknownVersion when its key version is not in kr.
func (c *Checkpoint) verify(kr *keyring.Keyring) error { return c.verifyWith(kr, macLabel) }

func (c *Checkpoint) verifyWith(kr *keyring.Keyring, label string) error {
	key, err := kr.DeriveVersion(c.KeyVersion, CheckpointPurpose)
	if err != nil {
		return err
	}
	if !hmac.Equal(mac(key, c.messageWith(label)), c.MAC) {
		return errBadMAC
	}
	return nil
}

func (c *Checkpoint) row() store.AuditCheckpoint {
	return store.AuditCheckpoint{Seq: c.Seq, Hash: c.Hash[:], Time: c.Time, KeyVersion: c.KeyVersion, MAC: c.MAC}
}

func fromRow(r store.AuditCheckpoint) (Checkpoint, bool) {
	c := Checkpoint{Seq: r.Seq, Time: r.Time, KeyVersion: r.KeyVersion, MAC: r.MAC}
	if len(r.Hash) != record.HashSize {
		return c, false
	}
	copy(c.Hash[:], r.Hash)
	return c, true
}

// ErrNoCheckpointFile means there is no checkpoint file (yet).
var ErrNoCheckpointFile = errors.New("audit: no checkpoint file")

// The checkpoint file is one line of text:
//
//	kinko-audit-checkpoint v1 seq=<decimal> hash=<64 hex> time=<µs since epoch> key=<version> mac=<64 hex>
const fileMagic = "kinko-audit-checkpoint"

func (c *Checkpoint) marshal() []byte {
	return fmt.Appendf(nil, "%s v1 seq=%d hash=%x time=%d key=%d mac=%x\n", fileMagic, c.Seq, c.Hash[:], c.Time.UnixMicro(), c.KeyVersion, c.MAC)
}

func parseCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	f := strings.Fields(string(b))
	if len(f) != 7 || f[0] != fileMagic || f[1] != "v1" {
		return c, errors.New("not a kinko audit checkpoint")
	}
	val := func(i int, key string) (string, error) {
		v, ok := strings.CutPrefix(f[i], key+"=")
		if !ok {
			return "", fmt.Errorf("field %d is not %s", i, key)
		}
		return v, nil
	}
	var err error
	var s string
	if s, err = val(2, "seq"); err != nil {
		return c, err
	}
	if c.Seq, err = strconv.ParseUint(s, 10, 64); err != nil {
		return c, errors.New("bad seq")
	}
	if s, err = val(3, "hash"); err != nil {
		return c, err
	}
	if h, err := hex.DecodeString(s); err != nil || len(h) != record.HashSize {
		return c, errors.New("bad hash")
	} else {
		copy(c.Hash[:], h)
	}
	if s, err = val(4, "time"); err != nil {
		return c, err
	}
	us, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return c, errors.New("bad time")
	}
	c.Time = time.UnixMicro(us).UTC()
	if s, err = val(5, "key"); err != nil {
		return c, err
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return c, errors.New("bad key version")
	}
	c.KeyVersion = uint32(v)
	if s, err = val(6, "mac"); err != nil {
		return c, err
	}
	if c.MAC, err = hex.DecodeString(s); err != nil || len(c.MAC) != sha256.Size {
		return c, errors.New("bad mac")
	}
	return c, nil
}

// ReadCheckpointFile reads the checkpoint file at path (ErrNoCheckpointFile when absent).
// It does not check the MAC.
func ReadCheckpointFile(path string) (Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Checkpoint{}, ErrNoCheckpointFile
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint file: %w", err)
	}
	c, err := parseCheckpoint(b)
	if err != nil {
		return c, fmt.Errorf("checkpoint file %s is damaged: %v", path, err)
	}
	return c, nil
}

// writeCheckpointFile replaces the file atomically: a temporary file (0600) written and
// fsynced, renamed over the old one, the folder fsynced. A crash leaves the old or the new
// checkpoint, never half of one.
func writeCheckpointFile(path string, c *Checkpoint) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".kinko.audit-checkpoint.*")
	if err != nil {
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(c.marshal()); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit: checkpoint file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func equal32(b []byte, h *[record.HashSize]byte) bool {
	return bytes.Equal(b, h[:])
}
