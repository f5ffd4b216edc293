package storetest

import (
	"syscall"
	"testing"
	"time"
)

// CPUMeter reports a benchmark's CPU time per operation (user and system time of the whole
// process, every goroutine: the writer, the indexer and the checkpointer included) as the
// metric "cpu-µs/op". On a machine shared with other work, wall time per operation moves
// with the neighbours' load; the CPU a request costs moves far less, and on a server that
// is CPU-bound (two cores, sixteen clients) it is what sets the requests per second.
type CPUMeter struct {
	b     *testing.B
	start time.Duration
}

// StartCPU starts measuring; call it where the benchmark resets its timer.
func StartCPU(b *testing.B) *CPUMeter {
	return &CPUMeter{b: b, start: CPUTime()}
}

// Stop reports the CPU time per operation since StartCPU.
func (m *CPUMeter) Stop() {
	if m.b.N > 0 {
		m.b.ReportMetric(float64(CPUTime()-m.start)/float64(time.Microsecond)/float64(m.b.N), "cpu-µs/op")
	}
}

// CPUTime is the CPU time (user and system) the process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
