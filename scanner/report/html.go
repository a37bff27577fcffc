package report

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// HTML writes one self-contained page: no script, no CDN, no external font or image. Charts are inline SVG
// computed here; html/template escapes every untrusted string for its context, after Clean has removed control
// characters. A print stylesheet keeps it readable on paper.
type HTML struct{ opts Options }

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"clean": Clean,
	"date":  dateText,
	"spend": spendText,
	"when":  func(t interface{ IsZero() bool }) bool { return !t.IsZero() },
}).Parse(htmlSource))

type htmlBar struct {
	Label, Value, Class string
	Y, Width            int
}

type htmlCategory struct {
	Name    string
	Vendors int
	Spend   string
	Amount  float64
}

type htmlTrend struct {
	Width, Height  int
	Vendors, Finds string // SVG polyline points
	Labels         []htmlTick
	MaxY           int
	Points         []scanner.TrendPoint
}

type htmlTick struct {
	X     int
	Label string
}

type htmlView struct {
	Rep          *scanner.Report
	Complete     bool
	SeverityBars []htmlBar
	SevHeight    int
	Categories   []htmlCategory
	SpendBars    []htmlBar
	SpendHeight  int
	Currency     string
	Trend        *htmlTrend
	Groups       []htmlGroup
	Category     func(string) string
}

type htmlGroup struct {
	Severity string
	Findings []scanner.Finding
}

// Write implements Writer.
func (h HTML) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	v := htmlView{Rep: rep, Complete: true, Category: func(id string) string { return categoryName(h.opts, id) }}
	for _, c := range rep.Coverage {
		if c.Status != scanner.CoverageComplete {
			v.Complete = false
		}
	}
	// Findings by severity: one bar each, scaled to the largest.
	most := 1
	for _, s := range scanner.Severities {
		most = max(most, rep.Summary.BySeverity[s])
	}
	for i, s := range scanner.Severities {
		n := rep.Summary.BySeverity[s]
		v.SeverityBars = append(v.SeverityBars, htmlBar{Label: s, Value: fmt.Sprint(n), Class: "sev-" + s, Y: i * 26, Width: n * 360 / most})
	}
	v.SevHeight = len(scanner.Severities) * 26
	v.Categories, v.Currency = categoriesOf(rep, v.Category)
	top := 0.0
	for _, c := range v.Categories {
		top = max(top, c.Amount)
	}
	if top > 0 {
		for _, c := range v.Categories {
			if c.Amount <= 0 {
				continue
			}
			v.SpendBars = append(v.SpendBars, htmlBar{Label: c.Name, Value: fmt.Sprintf("%.2f %s", c.Amount, v.Currency),
				Y: len(v.SpendBars) * 26, Width: int(c.Amount * 300 / top)})
		}
		v.SpendHeight = len(v.SpendBars) * 26
	}
	if len(rep.Trend) > 0 {
		v.Trend = trendOf(rep.Trend)
	}
	for _, s := range scanner.Severities {
		g := htmlGroup{Severity: s}
		for _, f := range rep.Findings {
			if f.Severity == s {
				g.Findings = append(g.Findings, f)
			}
		}
		if len(g.Findings) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// categoriesOf sums vendors and monthly spend per category; the chart uses the currency with the largest total.
func categoriesOf(rep *scanner.Report, name func(string) string) ([]htmlCategory, string) {
	type acc struct {
		vendors int
		spend   map[string]float64
	}
	by := map[string]*acc{}
	totals := map[string]float64{}
	for _, it := range rep.Inventory {
		a := by[it.Vendor.Category]
		if a == nil {
			a = &acc{spend: map[string]float64{}}
			by[it.Vendor.Category] = a
		}
		a.vendors++
		for cur, amt := range it.MonthlySpend {
			a.spend[cur] += amt
			totals[cur] += amt
		}
	}
	currency := ""
	for _, cur := range slices.Sorted(maps.Keys(totals)) {
		if currency == "" || totals[cur] > totals[currency] {
			currency = cur
		}
	}
	out := make([]htmlCategory, 0, len(by))
	for _, id := range slices.Sorted(maps.Keys(by)) {
		a := by[id]
		label := name(id)
		if label == "" {
			label = "uncategorised"
		}
		out = append(out, htmlCategory{Name: label, Vendors: a.vendors, Spend: spendText(a.spend), Amount: a.spend[currency]})
	}
	slices.SortStableFunc(out, func(x, y htmlCategory) int {
		switch {
		case x.Amount > y.Amount:
			return -1
		case x.Amount < y.Amount:
			return 1
		}
		return y.Vendors - x.Vendors
	})
	return out, currency
}

// trendOf draws unapproved martech vendors and findings per scan as two polylines.
func trendOf(points []scanner.TrendPoint) *htmlTrend {
	t := &htmlTrend{Width: 600, Height: 160, Points: points}
	maxY := 1
	for _, p := range points {
		maxY = max(maxY, p.Findings, p.UnapprovedMartechVendors)
	}
	t.MaxY = maxY
	x := func(i int) int {
		if len(points) == 1 {
			return t.Width / 2
		}
		return 40 + i*(t.Width-60)/(len(points)-1)
	}
	y := func(n int) int { return t.Height - 20 - n*(t.Height-40)/maxY }
	var vs, fs []string
	for i, p := range points {
		vs = append(vs, fmt.Sprintf("%d,%d", x(i), y(p.UnapprovedMartechVendors)))
		fs = append(fs, fmt.Sprintf("%d,%d", x(i), y(p.Findings)))
		if i == 0 || i == len(points)-1 || len(points) <= 8 {
			t.Labels = append(t.Labels, htmlTick{X: x(i), Label: p.StartedAt.UTC().Format("01-02")})
		}
	}
	t.Vendors, t.Finds = strings.Join(vs, " "), strings.Join(fs, " ")
	return t
}
