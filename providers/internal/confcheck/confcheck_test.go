package confcheck

import "testing"

func TestProblems(t *testing.T) {
	var p Problems
	if p.Err() != nil {
		t.Fatalf("no problems: Err = %v", p.Err())
	}
	p.Range("concurrency", 1, 1, 64)  // the lower edge is allowed
	p.Range("concurrency", 64, 1, 64) // and the upper
	if p.Err() != nil {
		t.Fatalf("edges of the range: Err = %v", p.Err())
	}
	p.Add("regions: must not be empty")
	p.Range("concurrency", 0, 1, 64)
	p.Range("dns.retries", 11, 0, 10)
	want := "regions: must not be empty\nconcurrency: must be between 1 and 64, got 0\ndns.retries: must be between 0 and 10, got 11"
	if err := p.Err(); err == nil || err.Error() != want {
		t.Errorf("Err = %v, want\n%s", err, want)
	}
}
