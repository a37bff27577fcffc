package expenses

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/internal/golden"
	"github.com/shadowscan/shadowscan/scanner"
)

// result is what a golden file holds: the records and the diagnostics of one run.
type result struct {
	Records    []scanner.Record        `json:"records"`
	Errors     []scanner.CoverageError `json:"errors"`
	Skipped    []string                `json:"skipped"`
	CollectErr string                  `json:"collect_error,omitempty"`
}

func run(t testing.TB, cfg *Config) result {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	diag := &scanner.Diagnostics{}
	p := New(*cfg, scanner.Deps{Name: "cards", Logger: zerolog.New(zerolog.NewTestWriter(t)), Diagnostics: diag})
	var recs []scanner.Record
	err := p.Collect(context.Background(), func(r scanner.Record) error {
		recs = append(recs, r)
		return nil
	})
	res := result{Records: recs, Errors: diag.Errors(), Skipped: diag.Skipped()}
	if res.Records == nil {
		res.Records = []scanner.Record{}
	}
	if res.Errors == nil {
		res.Errors = []scanner.CoverageError{}
	}
	if res.Skipped == nil {
		res.Skipped = []string{}
	}
	if err != nil {
		res.CollectErr = err.Error()
	}
	return res
}

func itoa(i int) string { return strconv.Itoa(i) }

func demoConfig() *Config {
	c := NewConfig()
	c.Path = filepath.Join("..", "..", "configs", "demo", "cards.csv")
	c.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Description", FieldAmount: "Amount",
		FieldCurrency: "Currency", FieldPerson: "Cardholder", FieldEmail: "Email", FieldDepartment: "Department",
		FieldCategory: "Category", FieldMCC: "MCC", FieldMemo: "Memo"}
	return c
}

func TestDemo(t *testing.T) {
	golden.JSON(t, "testdata/demo.records.golden.json", run(t, demoConfig()))
}

// goldenCases are the presets, the generic mapping and every input quirk, each a testdata file with its
// *.records.golden.json (records and diagnostics).
var goldenCases = []struct {
	file string
	cfg  func(c *Config)
}{
	{"generic_basic.csv", func(c *Config) {
		c.Columns = map[string]string{FieldDate: "Transaction Date", FieldMerchant: "Merchant", FieldAmount: "Amount",
			FieldCurrency: "Currency", FieldPerson: "Employee", FieldDepartment: "Dept", FieldMemo: "Notes",
			FieldCategory: "Category"}
	}},
	{"preset_ramp.csv", func(c *Config) { c.Format = "ramp" }},
	{"preset_cardlay.csv", func(c *Config) { c.Format = "cardlay"; c.DateFormats = []string{"DD-MM-YYYY"} }},
	{"preset_expend.csv", func(c *Config) {
		c.Format = "expend"
		c.DateFormats = []string{"DD/MM/YYYY"}
		c.Currency = "GBP"
	}},
	{"preset_cardboard.csv", func(c *Config) { c.Format = "cardboard" }},
	{"quirk_bom.csv", basicColumns},
	{"quirk_semicolon.csv", func(c *Config) {
		c.Columns = map[string]string{FieldDate: "Datum", FieldMerchant: "Händler", FieldAmount: "Betrag",
			FieldCurrency: "Währung", FieldPerson: "Karteninhaber", FieldMemo: "Notiz"}
		c.Currency = "EUR"
	}},
	{"quirk_tab.tsv", basicColumns},
	{"quirk_multiline.csv", basicColumns},
	{"quirk_amounts.csv", func(c *Config) {
		c.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Merchant", FieldAmount: "Amount",
			FieldCurrency: "Currency"}
	}},
	{"quirk_dates.csv", func(c *Config) {
		c.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Merchant", FieldAmount: "Amount"}
	}},
	{"quirk_bad_rows.csv", func(c *Config) {
		basicColumns(c)
		c.Columns[FieldCurrency] = "Currency"
	}},
	{"quirk_preamble.csv", basicColumns},
	{"quirk_types.csv", func(c *Config) {
		basicColumns(c)
		c.Columns[FieldType] = "Type"
	}},
	{"quirk_hostile.csv", basicColumns},
}

// basicColumns maps Date, Merchant, Amount and, when present, Currency, Cardholder and Memo.
func basicColumns(c *Config) {
	c.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Merchant", FieldAmount: "Amount",
		FieldPerson: "Cardholder"}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c := NewConfig()
			c.Path = filepath.Join("testdata", tc.file)
			tc.cfg(c)
			name := strings.TrimSuffix(tc.file, filepath.Ext(tc.file))
			golden.JSON(t, filepath.Join("testdata", name+".records.golden.json"), run(t, c))
		})
	}
}
