//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on f without waiting; errJournalLocked when another
// open file (another process, or another DB in this one) holds it.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errJournalLocked
	}
	if err != nil {
		return fmt.Errorf("audit journal %s: lock: %w", f.Name(), err)
	}
	return nil
}
