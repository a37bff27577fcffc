package aws

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

func BenchmarkTrustRecords(b *testing.B) {
	a := account{ID: "222222222222", Name: "northwind-marketing"}
	roles := make([]iamRole, len(fixtureRoles))
	for i, r := range fixtureRoles {
		raw, _ := json.Marshal(iamEncode(r.Doc))
		roles[i] = iamRole{Name: r.Name, ARN: "arn:aws:iam::222222222222:role/" + r.Name, TrustPolicy: raw, Created: r.Created}
	}
	internal := func(s string) bool { return s == "333333333333" || s == "555555555555" }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range roles {
			if _, err := trustRecords(a, r, internal, testNow); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(roles)), "roles/op")
}

func BenchmarkExportDemo(b *testing.B) {
	c := demoConfig()
	for _, f := range c.Export.IAMAuthorizationDetails {
		if _, err := os.Stat(f); err != nil {
			b.Skip(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p := newProvider(c, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}, Now: nowFn}, nil)
		if err := p.Collect(context.Background(), func(scanner.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecordSets(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(demoDir, "route53-northwind.example.json"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sets, err := parseRecordSets("z", data)
		if err != nil {
			b.Fatal(err)
		}
		_ = zoneRecords(account{ID: "1"}, hostedZone{ID: "Z", Name: "northwind.example"}, sets)
	}
}

// BenchmarkCollectOrganization is a whole scan of the fake organisation (6 accounts, ~60 API requests over
// loopback HTTP through the real SDK clients).
func BenchmarkCollectOrganization(b *testing.B) {
	f := newNorthwind(b)
	h := newHarness(b, f, nil)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p := h.providerTB(b)
		n = 0
		if err := p.Collect(context.Background(), func(scanner.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "records/op")
}
