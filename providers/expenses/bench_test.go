package expenses

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// peakHeap samples the live heap while running fn and returns its peak in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak {
			peak = v
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	read()
	return peak
}

const benchRows = 1_000_000

var benchMapping = Mapping{Columns: map[string]string{FieldDate: "Date", FieldMerchant: "Merchant",
	FieldAmount: "Amount", FieldCurrency: "Currency", FieldPerson: "Cardholder", FieldMemo: "Memo"},
	Decimal: DecimalAuto, ChargeSign: SignPositive, Encoding: EncodingAuto, Currency: "USD"}

// BenchmarkParse1M streams 1,000,000 generated rows (about 80 MB, produced lazily) through the CSV path.
func BenchmarkParse1M(b *testing.B) {
	var peak uint64
	start := time.Now()
	for b.Loop() {
		p := peakHeap(func() {
			n := 0
			st, err := Parse(&genReader{n: benchRows}, "bench.csv", benchMapping, func(Txn) error {
				n++
				return nil
			}, nil)
			if err != nil || n != benchRows || st.Bad != 0 {
				b.Fatalf("err %v, %d transactions, %d bad", err, n, st.Bad)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkCollect1M is the whole provider path: parse, group into 5,000 merchant/payer groups, build records.
func BenchmarkCollect1M(b *testing.B) {
	var peak uint64
	var groups int
	start := time.Now()
	for b.Loop() {
		p := peakHeap(func() {
			g := newGrouper(0)
			_, err := Parse(&genReader{n: benchRows}, "bench.csv", benchMapping, g.add, nil)
			if err != nil {
				b.Fatal(err)
			}
			groups = len(g.records())
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(groups), "groups")
}
