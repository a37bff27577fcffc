package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/check"
)

// A query of exactly check.MaxQueryLen bytes is read; one byte more is refused with 414 (TestHostileQueries).
func TestQueryAtTheLengthLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	q := "hotjar " + strings.Repeat("a", check.MaxQueryLen-7)
	for _, p := range []string{"/api/check?q=", "/api/catalog/search?q="} {
		if resp, b := f.get(t, p+url.QueryEscape(q), nil); resp.StatusCode == 414 {
			t.Errorf("%s at the limit: status 414: %s", p, b)
		}
	}
}
