package expenses

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func TestContract(t *testing.T) {
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		c := demoConfig()
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		return New(*c, scanner.Deps{Name: "cards", Logger: zerolog.New(zerolog.NewTestWriter(t)),
			Diagnostics: &scanner.Diagnostics{}})
	}, scannertest.Contract{
		Kinds: []string{scanner.KindSaaSSubscription, scanner.KindExpense},
		Populated: map[string][]string{
			scanner.KindSaaSSubscription: {"Summary", "Hints", "Principal.Email", "Principal.Name", "Principal.Department",
				"Amount", "FirstSeen", "LastSeen", "Attributes.raw_descriptors", "Attributes.cadence",
				"Attributes.charges", "Attributes.total", "Attributes.memo_samples", "Attributes.software_likely",
				"Attributes.active", "Attributes.charge_amount", "Attributes.rows"},
			scanner.KindExpense: {"Summary", "Hints", "Principal.Email", "Amount", "FirstSeen", "Attributes.raw_descriptors",
				"Attributes.software_reason"},
		},
	})
}

// The demo story: the unapproved tools show with their monthly spend and payers, meals and travel are marked as
// not software, and the formula memo is kept verbatim.
func TestDemoStory(t *testing.T) {
	res := run(t, demoConfig())
	if res.CollectErr != "" || len(res.Errors) != 0 {
		t.Fatalf("collect error %q, diagnostics %v", res.CollectErr, res.Errors)
	}
	byID := map[string]scanner.Record{}
	for _, r := range res.Records {
		byID[r.ID] = r
	}
	want := map[string]struct {
		kind    string
		monthly float64
		cur     string
		cadence string
	}{
		"expenses:hotjar:alice.moreau@northwind.example:usd":      {scanner.KindSaaSSubscription, 39, "USD", CadenceMonthly},
		"expenses:canva:ben.okafor@northwind.example:usd":         {scanner.KindSaaSSubscription, 14.99, "USD", CadenceMonthly},
		"expenses:semrush:chloe.tan@northwind.example:usd":        {scanner.KindSaaSSubscription, 139.95, "USD", CadenceMonthly},
		"expenses:calendly:dan.weber@northwind.example:usd":       {scanner.KindSaaSSubscription, 12, "USD", CadenceMonthly},
		"expenses:typeform:chloe.tan@northwind.example:eur":       {scanner.KindSaaSSubscription, 59, "EUR", CadenceAnnual},
		"expenses:hootsuite:ben.okafor@northwind.example:usd":     {scanner.KindSaaSSubscription, 99, "USD", CadenceMonthly},
		"expenses:zoominfo:dan.weber@northwind.example:usd":       {scanner.KindSaaSSubscription, 1249.58, "USD", CadenceAnnual},
		"expenses:mailchimp:alice.moreau@northwind.example:usd":   {scanner.KindSaaSSubscription, 350, "USD", CadenceMonthly},
		"expenses:zoom:erin.lopez@northwind.example:usd":          {scanner.KindSaaSSubscription, 15.99, "USD", CadenceMonthly},
		"expenses:leadmagnetpro:ben.okafor@northwind.example:usd": {scanner.KindExpense, 49, "USD", CadenceOnce},
	}
	for id, w := range want {
		r, ok := byID[id]
		if !ok {
			t.Errorf("no record %s", id)
			continue
		}
		if r.Kind != w.kind || r.Amount == nil || r.Amount.Value != w.monthly || r.Amount.Currency != w.cur ||
			r.Attributes["cadence"] != w.cadence || r.Attributes["software_likely"] != true {
			t.Errorf("%s = %s %+v %v", id, r.Kind, r.Amount, r.Attributes)
		}
	}
	if s := byID["expenses:hotjar:alice.moreau@northwind.example:usd"].Summary; s != "SQ *HOTJAR — 39.00 USD monthly, alice.moreau@northwind.example, 6 charges" {
		t.Errorf("hotjar summary %q", s)
	}
	for _, id := range []string{"expenses:united-airlines:dan.weber@northwind.example:usd", "expenses:marriott:dan.weber@northwind.example:usd",
		"expenses:uber:dan.weber@northwind.example:usd", "expenses:sweetgreen:chloe.tan@northwind.example:usd",
		"expenses:starbucks-store:alice.moreau@northwind.example:usd"} {
		if r, ok := byID[id]; !ok || r.Kind != scanner.KindExpense || r.Attributes["software_likely"] != false {
			t.Errorf("%s: %+v", id, r)
		}
	}
	hs := byID["expenses:hootsuite:ben.okafor@northwind.example:usd"]
	if hs.Attributes["refunds"] != int64(1) || hs.Attributes["total"] != 594.0 {
		t.Errorf("hootsuite refund not offset: %v", hs.Attributes)
	}
	canva := byID["expenses:canva:ben.okafor@northwind.example:usd"]
	if memos, _ := canva.Attributes["memo_samples"].([]string); len(memos) != 1 || memos[0] != `=HYPERLINK("http://evil.example","x")` {
		t.Errorf("canva memo samples %q", memos)
	}
}

// Formula strings and terminal escape bytes in merchant and memo survive verbatim as evidence (writers neutralise
// them), while the merchant hint and the record ID are clean.
func TestHostileTextPreservedVerbatim(t *testing.T) {
	c := NewConfig()
	c.Path = filepath.Join("testdata", "quirk_hostile.csv")
	basicColumns(c)
	c.Columns[FieldMemo] = "Memo"
	res := run(t, c)
	if len(res.Records) != 2 {
		t.Fatalf("records %+v, diagnostics %v", res.Records, res.Errors)
	}
	evil := res.Records[0]
	rawMerchant := "\x1b[31mEVIL\x1b[0m SAAS\x1b]0;pwned\x07"
	if d, _ := evil.Attributes["raw_descriptors"].([]string); len(d) != 1 || d[0] != rawMerchant {
		t.Errorf("raw_descriptors %q", d)
	}
	wantMemos := []string{`=HYPERLINK("http://evil.example","x")`, "+SUM(1,2)\u202e\x00"}
	if m, _ := evil.Attributes["memo_samples"].([]string); strings.Join(m, "|") != strings.Join(wantMemos, "|") {
		t.Errorf("memo_samples %q, want %q", m, wantMemos)
	}
	if !strings.HasPrefix(evil.Summary, rawMerchant+" — ") {
		t.Errorf("summary %q does not start with the raw descriptor", evil.Summary)
	}
	if evil.Hints[0].Value != "EVIL SAAS" || strings.ContainsAny(evil.ID, "\x1b\x07=|'!") {
		t.Errorf("hint %q, id %q", evil.Hints[0].Value, evil.ID)
	}
	if d, _ := res.Records[1].Attributes["raw_descriptors"].([]string); len(d) != 1 || d[0] != "@SUM(A1)" {
		t.Errorf("raw_descriptors %q", d)
	}
	if m, _ := res.Records[1].Attributes["memo_samples"].([]string); len(m) != 1 || m[0] != "-2+3" {
		t.Errorf("memo_samples %q", m)
	}
}

func TestOnErrorFail(t *testing.T) {
	c := NewConfig()
	c.Path = filepath.Join("testdata", "quirk_bad_rows.csv")
	basicColumns(c)
	c.OnError = "fail"
	res := run(t, c)
	if len(res.Records) != 0 || res.CollectErr != "testdata/quirk_bad_rows.csv:3: date: date \"not a date\" matches none of the date formats (YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, MM/DD/YY, DD.MM.YYYY, DD MMM YYYY, DD-MMM-YYYY, DD-MMM-YY, MMM DD, YYYY, MMM DD YYYY, YYYYMMDD); set date_formats" {
		t.Errorf("records %d, error %q", len(res.Records), res.CollectErr)
	}
}

// Monthly exports in separate files: the cadence shows only across them.
func TestChargesGroupedAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, month := range []string{"2026-01", "2026-02", "2026-03"} {
		p := filepath.Join(dir, "cards-"+month+".csv")
		data := "Date,Merchant,Amount,Cardholder\n" + month + "-05,SQ *HOTJAR,39.00,alice@x.example\n"
		if i == 1 {
			data = "\uFEFF" + strings.ReplaceAll(data, ",", ";") // another month, another export setting
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	c := NewConfig()
	c.Path, c.Paths = paths[0], paths[1:]
	basicColumns(c)
	res := run(t, c)
	if len(res.Records) != 1 || res.Records[0].Kind != scanner.KindSaaSSubscription || res.Records[0].Attributes["charges"] != int64(3) {
		t.Fatalf("records %+v errors %v", res.Records, res.Errors)
	}
}

func TestUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("Date,Merchant,Amount\n2026-01-05,SQ *HOTJAR,39.00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.csv")
	noHeader := filepath.Join(dir, "noheader.csv")
	if err := os.WriteFile(noHeader, []byte("a,b,c\n1,2,3\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// One good file among bad ones: records, and a diagnostic per bad file (coverage partial).
	c := NewConfig()
	c.Path, c.Paths = good, []string{missing, noHeader}
	basicColumns(c)
	delete(c.Columns, FieldPerson)
	res := run(t, c)
	if res.CollectErr != "" || len(res.Records) != 1 || len(res.Errors) != 2 ||
		!strings.Contains(res.Errors[0].Message, "missing.csv") || !strings.Contains(res.Errors[1].Message, "no header row") {
		t.Errorf("collect %q records %d errors %+v", res.CollectErr, len(res.Records), res.Errors)
	}

	// Nothing readable: Collect fails.
	c.Path, c.Paths = missing, nil
	if res := run(t, c); res.CollectErr == "" || len(res.Records) != 0 {
		t.Errorf("collect %q records %d", res.CollectErr, len(res.Records))
	}
}

func TestCollectCancelled(t *testing.T) {
	c := demoConfig()
	p := New(*c, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := p.Collect(ctx, func(scanner.Record) error {
		t.Error("emit after cancel")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestCollectCancelledWhileParsing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadFrom(&genReader{n: 3 * progressRows}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c := NewConfig()
	c.Path = path
	c.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Merchant", FieldAmount: "Amount"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- New(*c, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}}).
			Collect(ctx, func(scanner.Record) error { return nil })
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Collect did not return after cancellation")
	}
}
