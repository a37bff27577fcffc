package policy

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
)

// LocalSignalKeys are the catalogue's signal keys an approved-tools entry may carry when it names a vendor the
// catalogue lacks, so that scans recognise the vendor's records. aws_accounts, an entry key for every vendor (the
// accounts approved to be trusted), identifies a local vendor too.
var LocalSignalKeys = []string{"domains", "merchants", "google_client_ids", "entra_app_ids", "spf", "txt", "cname"}

// localOnlyKeys are the keys only a local vendor's entry may carry: where it sits in the taxonomy and its signals.
var localOnlyKeys = slices.Concat([]string{"category", "subcategories"}, LocalSignalKeys)

// LocalVendor is a vendor the organisation defines in its approved-tools file because the catalogue lacks it.
// The caller merges it into the catalogue (catalog.LoadWithLocal), where its values are validated like any
// catalogue entry's; then BindLocal gives its entry the merged vendor.
type LocalVendor struct {
	ID   string // LocalID(Name)
	Name string // as written
	File string
	Line int
	// Values are its category, subcategories and signal values in file order, one per list item.
	Values []LocalValue
}

// LocalValue is one value of a local vendor, with its line.
type LocalValue struct {
	Key, Value string
	Line       int
}

// Signals returns the signal keys the vendor carries, in LocalSignalKeys order (then aws_accounts).
func (l *LocalVendor) Signals() []string {
	var out []string
	for _, k := range slices.Concat(LocalSignalKeys, []string{"aws_accounts"}) {
		for _, v := range l.Values {
			if v.Key == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// LocalID derives a vendor ID from a name: lower-case ASCII letters and digits, every other run one hyphen
// ("Acme Leads.io" → "acme-leads-io"). A name without any gets "local-" and a hash of the name.
func LocalID(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			gap = false
			continue
		}
		gap = true
	}
	id := b.String()
	if len(id) > 64 {
		id = strings.TrimRight(id[:64], "-")
	}
	if id == "" {
		h := fnv.New32a()
		h.Write([]byte(name))
		id = fmt.Sprintf("local-%08x", h.Sum32())
	}
	return id
}

// parseLocal reads the local vendor of an approved-tools entry whose vendor the catalogue lacks. The warnings say
// how it will be matched.
func parseLocal(doc *yamlpos.Doc, f map[string]*yaml.Node, written string, vendors VendorIndex) (*LocalVendor, []string, yamlpos.Errors) {
	l := &LocalVendor{ID: LocalID(written), Name: strings.TrimSpace(written), File: doc.File, Line: f["vendor"].Line}
	var errs yamlpos.Errors
	for _, k := range slices.Concat(localOnlyKeys, []string{"aws_accounts"}) {
		n := f[k]
		if n == nil {
			continue
		}
		if k == "category" {
			s, er := doc.Str(n, "", "category")
			if er != nil {
				errs = append(errs, er)
			} else if s != "" {
				l.Values = append(l.Values, LocalValue{Key: k, Value: s, Line: n.Line})
			}
			continue
		}
		vals, er := doc.StrList(n, "", fmt.Sprintf("vendor %q: %s", written, k))
		if er != nil {
			errs = append(errs, er)
			continue
		}
		for j, v := range vals {
			at := yamlpos.Item(n, j)
			if strings.TrimSpace(v) == "" {
				errs = append(errs, doc.ErrAt(at, "", "vendor %q: %s: empty value", written, k))
				continue
			}
			l.Values = append(l.Values, LocalValue{Key: k, Value: strings.TrimSpace(v), Line: at.Line})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	var msg string
	if sig := l.Signals(); len(sig) == 0 {
		msg = fmt.Sprintf("vendor %q is not in the catalogue: it is a local vendor matched by name only (give it %s or aws_accounts so that scans recognise its records)",
			written, strings.Join(LocalSignalKeys, ", "))
	} else {
		msg = fmt.Sprintf("vendor %q is not in the catalogue: it is a local vendor recognised by its %s", written, strings.Join(sig, ", "))
	}
	if s := vendors.Suggest(written); len(s) > 0 {
		msg += " (did you mean " + quoteList(s, 3) + "?)"
	}
	return l, []string{warning(doc, f["vendor"], msg)}, nil
}

// warning formats a message at a node as file:line:column: message, on one line.
func warning(doc *yamlpos.Doc, n *yaml.Node, msg string) string {
	e := doc.ErrAt(n, "", "%s", msg)
	e.Source = ""
	return e.Error()
}

// BindLocal gives each local vendor's entry the vendor as the merged catalogue has it (category, martech,
// subcategories). lookup finds a vendor by ID.
func (a *Approvals) BindLocal(vendors VendorIndex) error {
	if a == nil {
		return nil
	}
	for i := range a.entries {
		e := &a.entries[i]
		if e.Local == nil {
			continue
		}
		v, ok := vendors.Lookup(e.Local.ID)
		if !ok {
			return fmt.Errorf("%s:%d: local vendor %q is missing from the merged catalogue", e.File, e.Line, e.Local.Name)
		}
		e.Vendor = v
	}
	return nil
}

// Locals returns the local vendors, in file order.
func (a *Approvals) Locals() []LocalVendor {
	var out []LocalVendor
	for _, e := range a.Entries() {
		if e.Local != nil {
			out = append(out, *e.Local)
		}
	}
	return out
}
