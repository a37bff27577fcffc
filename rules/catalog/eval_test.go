package catalog

import (
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// The evaluation set (testdata/eval/*.tsv) holds real-world signals from public third-party files, one file per
// source repository, kept apart from the sources the catalogue is mined from (see README.md#evaluation). Each row
// is labelled with the documented owner of the host or token, not with what the resolver answers.

// -evaldir runs another directory in the same format through the resolver (mined candidates, say) without the
// regression floors; rows labelled "?" are unlabelled: they count apart, and -unlabelled lists those the catalogue
// leaves unresolved. Example:
//
//	go test -v -run TestEvaluation ./rules/catalog/ -args -evaldir /tmp/mined -unlabelled
//
// -show lists every unlabelled row with the vendor it resolves to (to review what a new pattern catches).
var (
	evalDir        = flag.String("evaldir", "", "directory of evaluation-format TSV files to use instead of testdata/eval")
	evalUnlabelled = flag.Bool("unlabelled", false, "list the unlabelled (?) rows the catalogue leaves unresolved")
	evalShow       = flag.Bool("show", false, "list every unlabelled (?) row with the vendor it resolves to")
)

// evalRow is one labelled signal.
type evalRow struct {
	file     string
	line     int
	signal   string // spf, txt, txt_owner, cname, dkim, mx, ns, dmarc_rua, merchant, google_client_id, entra_app_id
	value    string
	context  string   // owner name, or the DKIM CNAME target
	expected []string // acceptable vendor IDs; nil for a negative (must resolve to nothing)
	unknown  bool     // label "?": not labelled (mined candidates run with -evaldir)
	source   string
}

// evalSignals are the signal types in report order.
var evalSignals = []string{"spf", "txt", "txt_owner", "cname", "dkim", "mx", "ns", "dmarc_rua", "merchant",
	"google_client_id", "entra_app_id"}

// evalHints builds the hints a scan would carry for the row (as providers/internal/dnssignal builds them).
func evalHints(r evalRow) []scanner.Hint {
	switch r.signal {
	case "spf":
		return []scanner.Hint{{Type: scanner.HintSPFInclude, Value: r.value}}
	case "txt", "txt_owner":
		return []scanner.Hint{{Type: scanner.HintTXTToken, Value: r.value, Target: r.context}}
	case "cname":
		return []scanner.Hint{{Type: scanner.HintCNAMETarget, Value: r.value}}
	case "dkim":
		return []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: r.value, Target: r.context},
			{Type: scanner.HintCNAMETarget, Value: r.context}}
	case "mx", "ns", "dmarc_rua":
		return []scanner.Hint{{Type: scanner.HintDomain, Value: r.value}}
	case "merchant":
		return []scanner.Hint{{Type: scanner.HintMerchant, Value: r.value}}
	case "google_client_id":
		return []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: r.value}}
	case "entra_app_id":
		return []scanner.Hint{{Type: scanner.HintEntraAppID, Value: r.value}}
	}
	return nil
}

func readEval(t testing.TB, dir string) []evalRow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no evaluation files in %s (%v)", dir, err)
	}
	var rows []evalRow
	for _, path := range files {
		eachTSVRow(t, path, 5, func(n int, cols []string) {
			r := evalRow{file: filepath.Base(path), line: n, signal: cols[0], value: cols[1], context: cols[2], source: cols[4]}
			switch {
			case evalHints(r) == nil:
				t.Fatalf("%s:%d: unknown signal %q", path, n, cols[0])
			case cols[3] == "":
				t.Fatalf("%s:%d: empty label", path, n)
			case r.source == "":
				t.Fatalf("%s:%d: no source", path, n)
			case cols[3] == "?":
				r.unknown = true
			case cols[3] != "-":
				r.expected = strings.Split(cols[3], "|")
			}
			rows = append(rows, r)
		})
	}
	return rows
}

// evalTally counts outcomes for one signal type.
type evalTally struct {
	positives, right, wrong, missed int
	negatives, negMatched           int
}

func (t *evalTally) recall() float64 { return ratio(t.right, t.positives) }

func (t *evalTally) add(o *evalTally) {
	t.positives += o.positives
	t.right += o.right
	t.wrong += o.wrong
	t.missed += o.missed
	t.negatives += o.negatives
	t.negMatched += o.negMatched
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// evalFloors are regression floors for recall per signal type: the figures the current catalogue and resolver
// reach, rounded down. Raise them as the catalogue grows; never lower them to make a change pass.
var evalFloors = map[string]float64{
	"spf": 0.75, "txt": 0.75, "txt_owner": 0.80, "cname": 0.75, "dkim": 0.80, "mx": 0.75, "ns": 0.85, "dmarc_rua": 0.75,
	"merchant": 0.70,
}

// TestEvaluation resolves the evaluation set with the built-in catalogue and prints recall, wrong-vendor rate and
// unidentified rate per signal type. It fails when a negative resolves to a vendor, when more than 0.5% of the
// positives resolve to the wrong vendor, or when recall falls below a regression floor.
// Run: go test -run TestEvaluation -v ./rules/catalog/
func TestEvaluation(t *testing.T) {
	dir := filepath.Join("testdata", "eval")
	if *evalDir != "" {
		dir = *evalDir
	}
	rows := readEval(t, dir)
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	r := NewResolver(c)
	by := map[string]*evalTally{}
	var total evalTally
	var wrongs, misses, unresolved []string
	unlabelled := map[string][2]int{} // signal -> {rows, resolved}
	for _, row := range rows {
		res := r.Resolve(&scanner.Record{Kind: scanner.KindDNSRecord, ID: row.file, Hints: evalHints(row)})
		got := "-"
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		if row.unknown {
			u := unlabelled[row.signal]
			u[0]++
			if *evalShow {
				unresolved = append(unresolved, fmt.Sprintf("RESOLVED\t%s\t%s\t%s\t%s\t%s", row.signal, row.value, got, res.Reason, row.file))
			}
			if got != "-" {
				u[1]++
			} else {
				unresolved = append(unresolved, fmt.Sprintf("UNRESOLVED\t%s\t%s\t%s\t%s", row.signal, row.value, row.context, row.file))
			}
			unlabelled[row.signal] = u
			continue
		}
		tl := by[row.signal]
		if tl == nil {
			tl = &evalTally{}
			by[row.signal] = tl
		}
		where := fmt.Sprintf("%s:%d %s %q", row.file, row.line, row.signal, clipText(row.value, 70))
		for _, x := range []*evalTally{tl, &total} {
			if row.expected == nil {
				x.negatives++
				if got != "-" {
					x.negMatched++
				}
				continue
			}
			x.positives++
			switch {
			case labelMatches(row.expected, got):
				x.right++
			case got == "-":
				x.missed++
			default:
				x.wrong++
			}
		}
		switch {
		case row.expected == nil && got != "-":
			t.Errorf("NEGATIVE MATCHED %s → %s (%s)", where, got, res.Reason)
		case row.expected != nil && got != "-" && !labelMatches(row.expected, got):
			wrongs = append(wrongs, fmt.Sprintf("WRONG %s → %s (%s), want %s", where, got, res.Reason, strings.Join(row.expected, "|")))
		case row.expected != nil && got == "-":
			misses = append(misses, fmt.Sprintf("MISS %s (%s) want %s", where, row.context, strings.Join(row.expected, "|")))
		}
	}
	if testing.Verbose() {
		sort.Strings(misses)
		for _, m := range misses {
			t.Log(m)
		}
	}
	for _, w := range wrongs {
		t.Log(w)
	}
	if *evalUnlabelled || *evalShow {
		sort.Strings(unresolved)
		for _, u := range unresolved {
			t.Log(u)
		}
	}
	for _, s := range evalSignals {
		if u, ok := unlabelled[s]; ok {
			t.Logf("unlabelled %-17s %5d rows, %5d resolved (%.2f)", s, u[0], u[1], ratio(u[1], u[0]))
		}
	}
	t.Logf("%-17s %5s %6s %6s %6s %5s %6s", "signal", "rows", "recall", "wrong", "unid.", "neg.", "neg.ok")
	line := func(name string, x *evalTally) {
		t.Logf("%-17s %5d %6.2f %6.3f %6.2f %5d %6d", name, x.positives+x.negatives, x.recall(),
			ratio(x.wrong, x.positives), ratio(x.missed, x.positives), x.negatives, x.negatives-x.negMatched)
	}
	// Every type is printed, also one without rows yet, so a missing kind of signal shows; OAuth identifiers
	// (Google client IDs and Entra app IDs) are also summed up as one line.
	var oauth evalTally
	for _, s := range evalSignals {
		x := by[s]
		if x == nil {
			x = &evalTally{}
		}
		line(s, x)
		if s == "google_client_id" || s == "entra_app_id" {
			oauth.add(x)
		}
	}
	line("oauth (both)", &oauth)
	line("TOTAL", &total)
	if w := ratio(total.wrong, total.positives); w > 0.005 {
		t.Errorf("wrong-vendor rate %.3f is above 0.005", w)
	}
	for s, floor := range evalFloors {
		if x := by[s]; x != nil && x.recall() < floor && *evalDir == "" {
			t.Errorf("%s recall %.2f fell below its floor %.2f", s, x.recall(), floor)
		}
	}
}

// labelMatches says whether the resolved vendor ID is one of the labels; IDs that differ only in punctuation
// ("halo-itsm", "haloitsm") name the same vendor, since labels were written before every vendor had an ID.
func labelMatches(labels []string, got string) bool {
	return slices.ContainsFunc(labels, func(l string) bool { return l == got || nameKey(l) == nameKey(got) })
}
