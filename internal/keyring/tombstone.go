package keyring

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// TombstoneFileName is the list of shredded customers, kept beside the key file and outside
// the database so that a restored backup can be shredded again on start.
const TombstoneFileName = "kinko.tombstones"

// Tombstones is an append-only list of (shop, customer) pairs whose data keys were destroyed.
// One line per customer: "<shop id> <customer id>\n"; ids are URL-safe and contain no spaces.
// The file holds identifiers only, never personal data.
type Tombstones struct {
	path string
	mu   sync.Mutex
}

// OpenTombstones uses the list at path (created on first append).
func OpenTombstones(path string) *Tombstones { return &Tombstones{path: path} }

// Add appends a shredded customer and fsyncs before returning: a 204 must mean the
// tombstone survives a crash.
func (t *Tombstones) Add(shop, customer string) error {
	if strings.ContainsAny(shop+customer, " \n") {
		return errors.New("tombstones: id contains a separator")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f, err := os.OpenFile(t.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("tombstones: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", shop, customer); err != nil {
		f.Close()
		return fmt.Errorf("tombstones: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tombstones: %w", err)
	}
	return f.Close()
}

// Each calls fn for every tombstone in the order they were added.
func (t *Tombstones) Each(fn func(shop, customer string) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, err := os.Open(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tombstones: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		shop, customer, ok := strings.Cut(line, " ")
		if !ok {
			return fmt.Errorf("tombstones: %s line %d is damaged", t.path, n)
		}
		if err := fn(shop, customer); err != nil {
			return err
		}
	}
	return sc.Err()
}
