//go:build linux

package store

import (
	"runtime"
	"syscall"
)

// fsyncHoldingP fsyncs fd from the calling goroutine without the Go scheduler's system-call
// bookkeeping (syscall.RawSyscall): the goroutine keeps its P for the length of the fsync.
// It reports false, doing nothing, when the program runs on fewer than two Ps, where the
// caller must take the ordinary path.
//
// Why (docs/performance.md, "Night of 2026-12-07"): the writer commits with an fsync every
// millisecond or two and spends about half its time in it. Through syscall.Syscall the
// runtime's monitor thread (sysmon) finds the writer's P in a system call, takes it and
// hands it to another thread, which costs two thread wake-ups, and having taken a P it keeps
// waking every 20 µs instead of backing off to 10 ms; on the two-core development machine,
// a guest where a context switch is dear, that came to about 7 % of the server's CPU time
// during creates. Holding the P instead costs the other goroutines one P for the length of
// the fsync; with two or more there is another for them (the writer is one goroutine), and
// other Ps can still steal the ready goroutines queued on the writer's.
//
// What it changes and what it does not: the same fsync(2) on the same descriptor, so
// durability is unchanged. A stop-the-world pause of the garbage collector that begins
// during the fsync waits for it to end (about a millisecond on the development machine's
// disk); a disk that hangs stalls the whole process rather than only the writer, which,
// since every answer but a health check waits for the writer or the audit trail anyway
// (fail closed), mostly changes what /healthz reports.
func fsyncHoldingP(fd int32) (done bool, errno syscall.Errno) {
	if runtime.GOMAXPROCS(0) < 2 {
		return false, 0
	}
	for {
		_, _, e := syscall.RawSyscall(syscall.SYS_FSYNC, uintptr(fd), 0, 0)
		if e != syscall.EINTR {
			return true, e
		}
	}
}
