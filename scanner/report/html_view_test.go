package report

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

func renderHTML(t *testing.T, rep *scanner.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (HTML{}).Write(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// The warning banner is there exactly when a source was not read completely.
func TestHTMLIncompleteCoverageBanner(t *testing.T) {
	const banner = "Coverage is incomplete"
	rep := fixture()
	for i := range rep.Coverage {
		rep.Coverage[i].Status = scanner.CoverageComplete
	}
	if got := renderHTML(t, rep); strings.Contains(got, banner) {
		t.Error("banner shown although every source is complete")
	}
	for _, status := range []string{scanner.CoveragePartial, scanner.CoverageFailed} {
		rep.Coverage[1].Status = status
		if got := renderHTML(t, rep); !strings.Contains(got, banner) {
			t.Errorf("no banner with a %s source", status)
		}
	}
}

// Spend bars: one per category with spend in the chart's currency, stacked 26 px apart, the largest 300 px wide.
func TestHTMLSpendBars(t *testing.T) {
	rep := fixture()
	rep.Inventory = []scanner.InventoryItem{
		{Vendor: scanner.Vendor{ID: "a", Category: "ads"}, MonthlySpend: map[string]float64{"USD": 100}},
		{Vendor: scanner.Vendor{ID: "b", Category: "crm"}, MonthlySpend: map[string]float64{"USD": 50}},
		{Vendor: scanner.Vendor{ID: "c", Category: "data"}, MonthlySpend: map[string]float64{"USD": 25, "EUR": 80}},
		{Vendor: scanner.Vendor{ID: "d", Category: "mail"}, MonthlySpend: map[string]float64{}},
	}
	got := renderHTML(t, rep)
	if !strings.Contains(got, "Monthly spend per category (USD)") {
		t.Fatalf("chart currency is not USD (the largest total):\n%s", got)
	}
	bars := regexp.MustCompile(`<rect class="bar-spend" x="200" y="(\d+)" width="(\d+)"`).FindAllStringSubmatch(got, -1)
	var pos []string
	for _, b := range bars {
		pos = append(pos, b[1]+"/"+b[2])
	}
	if want := "0/300 26/150 52/75"; strings.Join(pos, " ") != want {
		t.Errorf("spend bars y/width = %q, want %q", strings.Join(pos, " "), want)
	}
	if !strings.Contains(got, `height="78" viewBox="0 0 640 78"`) {
		t.Error("spend chart is not 3×26 px high")
	}

	// No spend at all: no chart.
	for i := range rep.Inventory {
		rep.Inventory[i].MonthlySpend = nil
	}
	if got := renderHTML(t, rep); strings.Contains(got, `<rect class="bar-spend"`) {
		t.Error("spend chart drawn without any spend")
	}
}

func TestHTMLSeverityBars(t *testing.T) {
	rep := fixture()
	rep.Summary.BySeverity = map[string]int{"critical": 1, "high": 4, "medium": 0, "low": 2, "info": 3}
	got := renderHTML(t, rep)
	bars := regexp.MustCompile(`<rect class="sev-(\w+)" x="80" y="(\d+)" width="(\d+)"`).FindAllStringSubmatch(got, -1)
	var pos []string
	for _, b := range bars {
		pos = append(pos, b[1]+"@"+b[2]+"/"+b[3])
	}
	if want := "critical@0/90 high@26/360 medium@52/0 low@78/180 info@104/270"; strings.Join(pos, " ") != want {
		t.Errorf("severity bars = %q, want %q", strings.Join(pos, " "), want)
	}
}

func TestCategoriesOf(t *testing.T) {
	inv := func(cat string, spend map[string]float64) scanner.InventoryItem {
		return scanner.InventoryItem{Vendor: scanner.Vendor{Category: cat}, MonthlySpend: spend}
	}
	rep := &scanner.Report{Inventory: []scanner.InventoryItem{
		inv("b", map[string]float64{"EUR": 10}), inv("b", map[string]float64{"EUR": 5}),
		inv("a", map[string]float64{"USD": 16}),
		inv("c", nil), inv("d", nil), inv("d", nil),
		inv("", map[string]float64{"EUR": 1}),
	}}
	name := func(id string) string { return map[string]string{"a": "Ads", "b": "CRM", "c": "Chat", "d": "Docs"}[id] }
	cats, cur := categoriesOf(rep, name)
	// EUR and USD both total 16: the first currency in order wins a tie.
	if cur != "EUR" {
		t.Errorf("currency = %q, want EUR", cur)
	}
	var got []string
	for _, c := range cats {
		got = append(got, c.Name+":"+strconv.Itoa(c.Vendors)+":"+c.Spend)
	}
	// By amount in EUR (largest first), then by vendor count (largest first); the unnamed category is "uncategorised".
	want := "CRM:2:15.00 EUR|uncategorised:1:1.00 EUR|Docs:2:|Ads:1:16.00 USD|Chat:1:"
	if strings.Join(got, "|") != want {
		t.Errorf("categories = %q,\nwant         %q", strings.Join(got, "|"), want)
	}

	rep.Inventory = append(rep.Inventory, inv("a", map[string]float64{"USD": 2}))
	if _, cur := categoriesOf(rep, name); cur != "USD" {
		t.Errorf("currency = %q, want USD (18 > 16)", cur)
	}
}

func TestTrendOf(t *testing.T) {
	day := func(d, findings, vendors int) scanner.TrendPoint {
		return scanner.TrendPoint{StartedAt: time.Date(2026, 11, d, 3, 0, 0, 0, time.UTC), Findings: findings, UnapprovedMartechVendors: vendors}
	}
	one := trendOf([]scanner.TrendPoint{day(1, 0, 0)})
	if one.Vendors != "300,140" || one.Finds != "300,140" || one.MaxY != 1 {
		t.Errorf("one point: vendors %q finds %q maxY %d", one.Vendors, one.Finds, one.MaxY)
	}

	three := trendOf([]scanner.TrendPoint{day(1, 4, 1), day(2, 8, 2), day(3, 2, 8)})
	// x: 40 + i*540/2; y: 140 - n*120/8.
	if three.Finds != "40,80 310,20 580,110" || three.Vendors != "40,125 310,110 580,20" || three.MaxY != 8 {
		t.Errorf("three points: finds %q vendors %q maxY %d", three.Finds, three.Vendors, three.MaxY)
	}
	if len(three.Labels) != 3 || three.Labels[1] != (htmlTick{X: 310, Label: "11-02"}) {
		t.Errorf("labels = %+v", three.Labels)
	}

	var many []scanner.TrendPoint
	for d := 1; d <= 9; d++ {
		many = append(many, day(d, d, 0))
	}
	if l := trendOf(many).Labels; len(l) != 2 || l[0].Label != "11-01" || l[1].Label != "11-09" || l[1].X != 580 {
		t.Errorf("nine points: labels %+v, want only the first and last", l)
	}
	many = many[:8]
	if l := trendOf(many).Labels; len(l) != 8 {
		t.Errorf("eight points: %d labels, want every one", len(l))
	}
}
