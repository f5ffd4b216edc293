//go:build !linux

package store

import "syscall"

// syncHoldingP is a Linux-only refinement of the writer's sync (sqlite_sync_linux.go);
// elsewhere the writer takes SQLite's own path.
func syncHoldingP(fd int32) (done bool, errno syscall.Errno) { return false, 0 }
