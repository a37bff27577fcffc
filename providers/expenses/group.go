package expenses

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Cadences.
const (
	CadenceWeekly    = "weekly"
	CadenceMonthly   = "monthly"
	CadenceQuarterly = "quarterly"
	CadenceAnnual    = "annual"
	CadenceIrregular = "irregular"
	CadenceOnce      = "once"
	CadenceRefunded  = "refunded" // every charge was refunded, or only refunds were seen
)

// Bounds on what one group keeps as evidence, so that memory depends on the number of groups, not rows.
const (
	maxDescriptors = 10
	maxMemos       = 5
	maxRows        = 20
	// clusterDays merges charges this close together into one billing event (a seat added mid-cycle, a split
	// charge), so that cadence is read from billing events, not from rows.
	clusterDays = 3
	// minIrregularEvents and minIrregularSpanDays make irregular repeat charges a subscription (usage billing).
	minIrregularEvents   = 3
	minIrregularSpanDays = 60
	daySeconds           = 24 * 60 * 60
)

type dayAcc struct {
	charge, refund Money // refund as a positive magnitude
}

// group is every charge of one normalised merchant by one payer in one currency.
type group struct {
	slug     string
	merchant MerchantHint
	payer    string // the ID part: email, name slug or "unknown"
	email    string
	name     string
	dept     string
	currency string

	days                     map[int32]dayAcc
	charges, refunds         int
	chargeTotal, refundTotal Money
	firstCharge, lastCharge  int32 // day numbers; valid when charges > 0
	lastDate                 int32 // of any row, for the latest descriptor, category and file
	lastDescriptor           string
	descriptors              []string
	descriptorsMore          int
	memos                    []string
	rows                     []string
	file                     string
	category, mcc            string
	annualHint               bool
}

// grouper folds transactions into groups. It is not safe for concurrent use.
type grouper struct {
	groups    map[groupKey]*group
	maxGroups int
	overflow  int // rows dropped because maxGroups was reached
	exportEnd int32
	merchants map[string]merchantEntry // raw descriptor → hint, a bounded cache
	payers    map[[2]string]payer      // raw (email, person) → payer, a bounded cache
}

type groupKey struct{ slug, payer, currency string }

type merchantEntry struct {
	hint MerchantHint
	slug string
}

type payer struct{ id, email, name string }

func newGrouper(maxGroups int) *grouper {
	return &grouper{groups: map[groupKey]*group{}, maxGroups: maxGroups, exportEnd: math.MinInt32,
		merchants: map[string]merchantEntry{}, payers: map[[2]string]payer{}}
}

// maxCache bounds the normalisation caches; they are emptied when full.
const maxCache = 50000

func (g *grouper) merchant(raw string) merchantEntry {
	if e, ok := g.merchants[raw]; ok {
		return e
	}
	h := NormaliseMerchant(raw)
	e := merchantEntry{hint: h, slug: Slug(h.Name)}
	if len(g.merchants) >= maxCache {
		clear(g.merchants)
	}
	g.merchants[strings.Clone(raw)] = e
	return e
}

func (g *grouper) payer(t *Txn) payer {
	k := [2]string{t.Email, t.Person}
	if p, ok := g.payers[k]; ok {
		return p
	}
	var p payer
	p.id, p.email, p.name = payerOf(t)
	if len(g.payers) >= maxCache {
		clear(g.payers)
	}
	g.payers[[2]string{strings.Clone(t.Email), strings.Clone(t.Person)}] = p
	return p
}

// payerOf returns the ID part, email and name of a transaction's payer.
func payerOf(t *Txn) (id, email, name string) {
	email = strings.ToLower(CleanText(t.Email))
	name = CleanText(t.Person)
	if email == "" && strings.Contains(name, "@") && !strings.ContainsAny(name, " ,;<>") {
		email, name = strings.ToLower(name), ""
	}
	switch {
	case email != "":
		id = email
	case name != "":
		id = Slug(name)
	}
	if id == "" {
		id = "unknown"
	}
	return id, email, name
}

func dayOf(t time.Time) int32 { return int32(t.Unix() / daySeconds) }

func dayTime(d int32) time.Time { return time.Unix(int64(d)*daySeconds, 0).UTC() }

// errTooManyGroups is returned by add when a new group would pass maxGroups.
var errTooManyGroups = fmt.Errorf("too many distinct merchant and payer groups")

// add folds one transaction in. It returns errTooManyGroups (and counts the row) when a new group would pass
// maxGroups, and an error when the merchant has no usable name.
func (g *grouper) add(t Txn) error {
	me := g.merchant(t.Merchant)
	if me.hint.Name == "" {
		return fmt.Errorf("merchant %q has no name once cleaned", truncate(t.Merchant, 60))
	}
	py := g.payer(&t)
	key := groupKey{me.slug, py.id, t.Currency}
	gr := g.groups[key]
	if gr == nil {
		if g.maxGroups > 0 && len(g.groups) >= g.maxGroups {
			g.overflow++
			return errTooManyGroups
		}
		gr = &group{slug: me.slug, merchant: me.hint, payer: py.id, email: py.email, name: py.name,
			currency: t.Currency, days: map[int32]dayAcc{},
			firstCharge: math.MaxInt32, lastCharge: math.MinInt32, lastDate: math.MinInt32}
		g.groups[key] = gr
	}
	day := dayOf(t.Date)
	if day > g.exportEnd {
		g.exportEnd = day
	}
	acc := gr.days[day]
	if t.Amount > 0 {
		acc.charge += t.Amount
		gr.charges++
		gr.chargeTotal += t.Amount
		gr.firstCharge = min(gr.firstCharge, day)
		gr.lastCharge = max(gr.lastCharge, day)
	} else {
		acc.refund += -t.Amount
		gr.refunds++
		gr.refundTotal += -t.Amount
	}
	gr.days[day] = acc

	if gr.email == "" && py.email != "" {
		gr.email = py.email
	}
	if gr.name == "" && py.name != "" {
		gr.name = py.name
	}
	// The latest row (by date) supplies the descriptor shown, the file, department, category and MCC; earlier
	// rows only fill what is still empty.
	latest := day >= gr.lastDate
	if latest {
		gr.lastDate = day
		if t.Amount > 0 || gr.lastDescriptor == "" {
			gr.lastDescriptor = keep(gr.lastDescriptor, t.Merchant)
		}
		gr.file = keep(gr.file, filepath.Base(t.File))
	}
	if t.Department != "" && (latest || gr.dept == "") {
		gr.dept = keep(gr.dept, t.Department)
	}
	if t.Category != "" && (latest || gr.category == "") {
		gr.category = keep(gr.category, t.Category)
	}
	if t.MCC != "" && (latest || gr.mcc == "") {
		gr.mcc = keep(gr.mcc, t.MCC)
	}
	if !contains(gr.descriptors, t.Merchant) {
		if len(gr.descriptors) < maxDescriptors {
			gr.descriptors = append(gr.descriptors, strings.Clone(t.Merchant))
		} else {
			gr.descriptorsMore++
		}
	}
	if len(gr.memos) < maxMemos && strings.TrimSpace(t.Memo) != "" && !contains(gr.memos, t.Memo) {
		gr.memos = append(gr.memos, strings.Clone(t.Memo))
	}
	if len(gr.rows) < maxRows {
		gr.rows = append(gr.rows, filepath.Base(t.File)+":"+strconv.Itoa(t.Line))
	}
	if !gr.annualHint && t.Amount > 0 && (mentionsAnnual(t.Memo) || mentionsAnnual(t.Merchant)) {
		gr.annualHint = true
	}
	return nil
}

// keep returns cur if it equals s (no copy), else a copy of s that does not pin the row it came from.
func keep(cur, s string) string {
	if cur == s {
		return cur
	}
	return strings.Clone(s)
}

func mentionsAnnual(s string) bool {
	if s == "" {
		return false
	}
	s = strings.ToUpper(s)
	for _, w := range []string{"ANNUAL", "YEARLY", "12 MONTHS", "12-MONTH", "1 YEAR", "ONE YEAR", "PER YEAR"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// event is one billing event: the charges of a few consecutive days, less the refunds applied to them.
type event struct {
	day    int32
	amount Money
}

// events clusters charge days into billing events and offsets refunds against them: a refund reduces the latest
// event on or before its day (then earlier ones, then later ones). Events refunded to zero stay in the list (the
// billing happened; cadence is read from it) with a zero amount.
func (gr *group) events() []event {
	days := make([]int32, 0, len(gr.days))
	for d := range gr.days {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	var evs []event
	for _, d := range days {
		a := gr.days[d]
		if a.charge <= 0 {
			continue
		}
		if n := len(evs); n > 0 && d-evs[n-1].day <= clusterDays {
			evs[n-1].amount += a.charge
			continue
		}
		evs = append(evs, event{day: d, amount: a.charge})
	}
	for _, d := range days {
		left := gr.days[d].refund
		if left <= 0 {
			continue
		}
		i := sort.Search(len(evs), func(i int) bool { return evs[i].day > d }) - 1
		order := make([]int, 0, len(evs))
		for j := i; j >= 0; j-- {
			order = append(order, j)
		}
		for j := i + 1; j < len(evs); j++ {
			order = append(order, j)
		}
		for _, j := range order {
			if left <= 0 {
				break
			}
			take := min(left, evs[j].amount)
			evs[j].amount -= take
			left -= take
		}
	}
	return evs
}

// cadence periods in days, with the tolerance allowed per period.
var periods = []struct {
	name      string
	days, tol float64
	lo, hi    float64 // the median interval must fall here
}{
	{CadenceWeekly, 7, 2, 5, 9},
	{CadenceMonthly, 30.44, 6, 24, 37},
	{CadenceQuarterly, 91.31, 10, 80, 100},
	{CadenceAnnual, 365.25, 20, 340, 390},
}

// InferCadence reads a cadence from billing event days (sorted): the period whose band holds the median interval,
// if every interval is one to three periods (a missed charge or two) within tolerance; else irregular.
func InferCadence(days []int32) string {
	if len(days) < 2 {
		return CadenceOnce
	}
	iv := make([]float64, len(days)-1)
	for i := 1; i < len(days); i++ {
		iv[i-1] = float64(days[i] - days[i-1])
	}
	sorted := append([]float64(nil), iv...)
	sort.Float64s(sorted)
	med := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	for _, p := range periods {
		if med < p.lo || med > p.hi {
			continue
		}
		for _, d := range iv {
			k := math.Round(d / p.days)
			if k < 1 || k > 3 || math.Abs(d-k*p.days) > p.tol*(1+(k-1)/2) {
				return CadenceIrregular
			}
		}
		return p.name
	}
	return CadenceIrregular
}

var periodOf = map[string]struct {
	period  string
	perMon  float64 // charges per month
	days    float64
	summary string
}{
	CadenceWeekly:    {scanner.PeriodWeekly, 52.0 / 12, 7, "weekly"},
	CadenceMonthly:   {scanner.PeriodMonthly, 1, 30.44, "monthly"},
	CadenceQuarterly: {scanner.PeriodQuarterly, 1.0 / 3, 91.31, "quarterly"},
	CadenceAnnual:    {scanner.PeriodAnnual, 1.0 / 12, 365.25, "annual"},
}

// records turns the groups into records, sorted by ID.
func (g *grouper) records() []scanner.Record {
	out := make([]scanner.Record, 0, len(g.groups))
	for _, gr := range g.groups {
		out = append(out, gr.record(g.exportEnd))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func (gr *group) record(exportEnd int32) scanner.Record {
	evs := gr.events()
	days := make([]int32, len(evs))
	var paid []event // events with money left after refunds
	for i, e := range evs {
		days[i] = e.day
		if e.amount > 0 {
			paid = append(paid, e)
		}
	}
	cadence := InferCadence(days)
	cadenceSource := "dates"
	if len(paid) == 0 {
		cadence = CadenceRefunded
	}
	if cadence == CadenceOnce && gr.annualHint {
		cadence, cadenceSource = CadenceAnnual, "memo"
	}
	net := gr.chargeTotal - gr.refundTotal
	rec := scanner.Record{
		ID:    "expenses:" + gr.slug + ":" + gr.payer + ":" + strings.ToLower(gr.currency),
		Hints: []scanner.Hint{{Type: scanner.HintMerchant, Value: gr.merchant.Name}},
		Attributes: map[string]any{
			"raw_descriptors": append([]string(nil), gr.descriptors...),
			"cadence":         cadence,
			"charges":         int64(gr.charges),
			"refunds":         int64(gr.refunds),
			"total":           net.Float(),
			"file":            gr.file,
			"rows":            append([]string(nil), gr.rows...),
		},
	}
	if gr.merchant.Domain != "" {
		rec.Hints = append(rec.Hints, scanner.Hint{Type: scanner.HintDomain, Value: gr.merchant.Domain})
	}
	if gr.email != "" || gr.name != "" {
		rec.Principal = &scanner.Principal{Type: "user", Email: gr.email, Name: gr.name, Department: CleanText(gr.dept)}
	}
	if gr.charges > 0 {
		rec.FirstSeen, rec.LastSeen = dayTime(gr.firstCharge), dayTime(gr.lastCharge)
	} else if len(gr.days) > 0 { // only refunds: their days
		lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
		for d := range gr.days {
			lo, hi = min(lo, d), max(hi, d)
		}
		rec.FirstSeen, rec.LastSeen = dayTime(lo), dayTime(hi)
	}
	a := rec.Attributes
	if gr.descriptorsMore > 0 {
		a["raw_descriptors_more"] = int64(gr.descriptorsMore)
	}
	if len(gr.memos) > 0 {
		a["memo_samples"] = append([]string(nil), gr.memos...)
	}
	if gr.category != "" {
		a["category"] = gr.category
	}
	if gr.mcc != "" {
		a["mcc"] = gr.mcc
	}
	if v := Classify(gr.mcc, gr.category, gr.merchant.Name); v.Known {
		a[scanner.AttrSoftwareLikely] = v.Likely
		a["software_reason"] = v.Reason
	}
	if cadenceSource != "dates" {
		a["cadence_source"] = cadenceSource
	}

	payer := gr.email
	if payer == "" {
		payer = gr.name
	}
	if payer == "" {
		payer = "unknown payer"
	}
	counts := plural(gr.charges, "charge")
	if gr.refunds > 0 {
		counts += ", " + plural(gr.refunds, "refund")
	}
	desc := gr.lastDescriptor

	p, regular := periodOf[cadence]
	spanDays := 0
	if len(evs) > 0 {
		spanDays = int(evs[len(evs)-1].day - evs[0].day)
	}
	lastRefunded := len(evs) > 0 && evs[len(evs)-1].amount == 0
	switch {
	case regular:
		// The current price is the latest billing event that was not refunded away.
		last := paid[len(paid)-1].amount
		monthly := round2(last.Float() * p.perMon)
		rec.Kind = scanner.KindSaaSSubscription
		rec.Amount = &scanner.Amount{Value: monthly, Currency: gr.currency, Period: scanner.PeriodMonthly}
		a["charge_amount"] = last.Float()
		a["billing_period"] = p.period
		a["active"] = !lastRefunded && float64(exportEnd-evs[len(evs)-1].day) <= p.days*1.5+clusterDays
		if lastRefunded {
			a["last_charge_refunded"] = true
		}
		extra := ""
		if cadence != CadenceMonthly {
			extra = fmt.Sprintf(" (%s %.2f)", p.summary, last.Float())
		}
		rec.Summary = fmt.Sprintf("%s — %.2f %s monthly%s, %s, %s", desc, monthly, gr.currency, extra, payer, counts)
	case cadence == CadenceIrregular && len(paid) >= minIrregularEvents && spanDays >= minIrregularSpanDays:
		var sum Money
		for _, e := range paid {
			sum += e.amount
		}
		months := float64(spanDays)/30.44 + 1
		monthly := round2(sum.Float() / months)
		rec.Kind = scanner.KindSaaSSubscription
		rec.Amount = &scanner.Amount{Value: monthly, Currency: gr.currency, Period: scanner.PeriodMonthly}
		a["active"] = !lastRefunded && float64(exportEnd-evs[len(evs)-1].day) <= 45
		rec.Summary = fmt.Sprintf("%s — ~%.2f %s monthly (irregular), %s, %s", desc, monthly, gr.currency, payer, counts)
	default:
		rec.Kind = scanner.KindExpense
		rec.Amount = &scanner.Amount{Value: net.Float(), Currency: gr.currency, Period: scanner.PeriodOneTime}
		what := "one-off"
		switch cadence {
		case CadenceRefunded:
			what = "refunded"
		case CadenceIrregular:
			what = "irregular"
		}
		rec.Summary = fmt.Sprintf("%s — %.2f %s %s, %s, %s", desc, net.Float(), gr.currency, what, payer, counts)
	}
	return rec
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
