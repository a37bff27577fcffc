package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkScanMemory scans 200,000 users × 10 grants (2,000,000 records) through the whole pipeline (catalogue,
// resolver, rule pack, approvals) with the sharding test's provider, and reports the peak Go heap (sampled) and the
// process's peak RSS (VmHWM). Records stream: none is kept, so memory grows with users and vendors, not grants.
//
//	go test -run '^$' -bench BenchmarkScanMemory -benchtime 1x ./cmd/shadowscan/
func BenchmarkScanMemory(b *testing.B) {
	t := &testing.T{}
	cfg := shardCaseConfig(t, 200000, 200, 10)
	out := filepath.Join(b.TempDir(), "r.json")
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	for b.Loop() {
		if r := run(t, nil, "scan", "--config", cfg, "--format", "json", "--output", out, "--fail-on", "none"); r.code != 0 {
			b.Fatalf("%+v", r)
		}
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "peak-RSS-MiB")
}

// vmHWM is the process's peak resident set size in KiB (Linux), 0 elsewhere.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
