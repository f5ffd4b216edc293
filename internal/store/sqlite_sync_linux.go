//go:build linux

package store

import (
	"runtime"
	"syscall"
)

// syncHoldingP makes fd's data durable with fdatasync(2), from the calling goroutine and
// without the Go scheduler's system-call bookkeeping (syscall.RawSyscall): the goroutine
// keeps its P for the length of the call. It reports false, doing nothing, when the
// program runs on fewer than two Ps, where the caller must take the ordinary path.
//
// Why the P (docs/performance-log.md, "Night of 2026-12-07"): the writer commits with a sync
// every millisecond or two and spends about half its time in it. Through syscall.Syscall
// the runtime's monitor thread (sysmon) finds the writer's P in a system call, takes it
// and hands it to another thread, which costs two thread wake-ups, and having taken a P it
// keeps waking every 20 µs instead of backing off to 10 ms; on the two-core development
// machine, a guest where a context switch is dear, that came to about 7 % of the server's
// CPU time during creates. Holding the P instead costs the other goroutines one P for the
// length of the sync; with two or more there is another for them (the writer is one
// goroutine), and other Ps can still steal the ready goroutines queued on the writer's.
// A stop-the-world pause of the garbage collector that begins during the sync waits for
// it to end (about a millisecond on the development machine's disk); a disk that hangs
// stalls the whole process rather than only the writer, which, since every answer but a
// health check waits for the writer or the audit trail anyway (fail closed), mostly
// changes what /healthz reports.
//
// Why fdatasync: it writes the file's data and the metadata needed to read it back (its
// size), and skips what is not (the modification time each write changes), which fsync(2)
// writes as one more block with every commit: ext4 wrote the WAL's inode at each sync,
// 1.5 % of the server's CPU during creates. It is what SQLite itself calls on Linux when
// built with its configure script (HAVE_FDATASYNC); the "unix" VFS as built here calls
// fsync.
func syncHoldingP(fd int32) (done bool, errno syscall.Errno) {
	if runtime.GOMAXPROCS(0) < 2 {
		return false, 0
	}
	for {
		_, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, uintptr(fd), 0, 0)
		if e != syscall.EINTR {
			return true, e
		}
	}
}
