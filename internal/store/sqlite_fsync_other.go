//go:build !linux

package store

import "syscall"

// fsyncHoldingP is a Linux-only refinement of the writer's fsync (sqlite_fsync_linux.go);
// elsewhere the writer takes SQLite's own path.
func fsyncHoldingP(fd int32) (done bool, errno syscall.Errno) { return false, 0 }
