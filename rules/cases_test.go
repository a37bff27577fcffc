package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// recordsConfig is the config of the test provider that replays a case's records.json.
type recordsConfig struct{ Records []scanner.Record }

func (c *recordsConfig) Validate() error { return nil }

type recordsProvider struct{ recs []scanner.Record }

func (p *recordsProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	for _, r := range p.recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

const testProviderType = "rules-test-records"

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{Type: testProviderType, Description: "replays records for the rules tests",
		NewConfig: func() scanner.ProviderConfig { return &recordsConfig{} },
		New: func(cfg scanner.ProviderConfig, _ scanner.Deps) (scanner.Provider, error) {
			return &recordsProvider{recs: cfg.(*recordsConfig).Records}, nil
		}})
}

// caseWant is what a case's want.json holds: a projection of the report.
type caseWant struct {
	Findings     []caseFinding   `json:"findings"`
	Inventory    []caseInventory `json:"inventory"`
	Unidentified []string        `json:"unidentified"`
}

type caseFinding struct {
	RuleID        string   `json:"rule_id"`
	Severity      string   `json:"severity"`
	Status        string   `json:"status"`
	Vendor        string   `json:"vendor"`
	Message       string   `json:"message"`
	Remediation   string   `json:"remediation"`
	Evidence      []string `json:"evidence"`
	EvidenceCount int      `json:"evidence_count"`
}

type caseInventory struct {
	Vendor   string `json:"vendor"`
	Approval string `json:"approval"`
	Users    int    `json:"users"`
	Records  int    `json:"records"`
}

var caseOrg = scanner.Organization{Name: "Northwind Outfitters", Domains: []string{"northwind.example"},
	Marketing: scanner.Marketing{OrgUnits: []string{"/Marketing"}, Departments: []string{"Marketing"}}}

// caseFixture loads what every case of testdata/cases shares: the built-in rules, the fake resolver's hints and
// the cases' records.json files.
func caseFixture(t *testing.T) (*RuleSet, map[string]string, []string) {
	t.Helper()
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var hints map[string]string
	readJSON(t, "testdata/cases/hints.json", &hints)
	delete(hints, "_comment")
	files, err := filepath.Glob("testdata/cases/*/records.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases (%v)", err)
	}
	return rs, hints, files
}

// TestCases runs every folder of testdata/cases through scanner.Run with the built-in rules, a fake resolver
// (testdata/cases/hints.json) and the approved-tools file (testdata/cases/approved.yaml, or the case's own).
// A case is a folder with records.json, want.json and optionally approved.yaml and suppressions.yaml; adding one
// needs no Go code (create it with -update and review the diff).
func TestCases(t *testing.T) {
	rs, hints, dirs := caseFixture(t)
	for _, rf := range dirs {
		dir := filepath.Dir(rf)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var recs []scanner.Record
			readJSON(t, rf, &recs)
			apath := filepath.Join(dir, "approved.yaml")
			if _, err := os.Stat(apath); err != nil {
				apath = "testdata/cases/approved.yaml"
			}
			a, err := policy.LoadApprovals(apath, newFakeIndex(), testNow)
			if err != nil {
				t.Fatal(err)
			}
			var sups []scanner.Suppression
			if sp := filepath.Join(dir, "suppressions.yaml"); fileExists(sp) {
				if sups, err = policy.LoadSuppressions(sp, rs.IDs()); err != nil {
					t.Fatal(err)
				}
			}
			appr := policy.New(a, sups)
			now := func() time.Time { return testNow }
			eng := NewEngine(rs, OrgInfo{Organization: caseOrg, Policy: appr, Now: now})
			rep, err := scanner.Run(context.Background(), scanner.Options{
				Instances: []scanner.Instance{{Name: "fixture", Type: testProviderType, Config: &recordsConfig{Records: recs}}},
				Logger:    zerolog.New(zerolog.NewTestWriter(t)), Now: now, Org: caseOrg,
				Resolver: newFakeResolver(hints), Policy: appr, Evaluator: eng,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Coverage {
				if c.Status != scanner.CoverageComplete {
					t.Errorf("coverage %s: %s %v", c.Provider, c.Status, c.Errors)
				}
			}
			got := project(rep)
			wpath := filepath.Join(dir, "want.json")
			golden.JSON(t, wpath, got)
		})
	}
}

func project(rep *scanner.Report) caseWant {
	w := caseWant{Findings: []caseFinding{}, Inventory: []caseInventory{}, Unidentified: []string{}}
	for _, f := range rep.Findings {
		cf := caseFinding{RuleID: f.RuleID, Severity: f.Severity, Status: f.Status, Message: f.Message,
			Remediation: f.Remediation, EvidenceCount: f.EvidenceCount, Evidence: []string{}}
		if f.Vendor != nil {
			cf.Vendor = f.Vendor.ID
		}
		for _, e := range f.Evidence {
			cf.Evidence = append(cf.Evidence, e.ID)
		}
		w.Findings = append(w.Findings, cf)
	}
	for _, it := range rep.Inventory {
		w.Inventory = append(w.Inventory, caseInventory{Vendor: it.Vendor.ID, Approval: it.Approval, Users: it.UserCount, Records: it.Records})
	}
	for _, u := range rep.Unidentified {
		w.Unidentified = append(w.Unidentified, u.Key)
	}
	return w
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, strings.TrimPrefix(err.Error(), "json: "))
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
