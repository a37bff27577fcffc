package policy

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/internal/yamlpos"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/glob"
)

// VendorIndex is what the approvals loader needs from the catalogue. The lead adapts the catalogue to it.
type VendorIndex interface {
	// Lookup finds a vendor by catalogue ID, name or alias (case-insensitive).
	Lookup(idOrName string) (scanner.Vendor, bool)
	// Suggest returns catalogue names close to a name that did not resolve, best first (may be empty).
	Suggest(name string) []string
}

// Statuses accepted in the approved-tools file. "expired" and "unapproved" are computed, never written.
var FileStatuses = []string{scanner.ApprovalApproved, scanner.ApprovalTolerated, scanner.ApprovalReview, scanner.ApprovalBanned}

// ApprovalEntry is one line of the approved-tools file.
type ApprovalEntry struct {
	Vendor      scanner.Vendor // the catalogue vendor
	Written     string         // the vendor as written in the file
	Status      string         // as written: approved, tolerated, review or banned
	Owner       string
	Ticket      string
	Expires     time.Time // zero: never
	Notes       string
	Scopes      []string // ceiling globs
	AWSAccounts []string
	// Expired is set when Expires has passed at load time (only for approved, tolerated and review).
	Expired bool
	File    string
	Line    int
	// Local is set when the catalogue lacks the vendor: the entry defines it (see LocalVendor).
	Local *LocalVendor
}

// Effective is the status the scan reports: Status, or "expired".
func (e ApprovalEntry) Effective() string {
	if e.Expired {
		return scanner.ApprovalExpired
	}
	return e.Status
}

// Approvals is the organisation's approved-tools file, loaded and checked.
type Approvals struct {
	entries  []ApprovalEntry
	byID     map[string]int
	warnings []string
}

// Approval returns the decision about a vendor: approved, tolerated, review, banned, expired or unapproved.
func (a *Approvals) Approval(vendorID string) scanner.Approval {
	if a == nil {
		return scanner.Approval{Status: scanner.ApprovalUnapproved}
	}
	i, ok := a.byID[vendorID]
	if !ok {
		return scanner.Approval{Status: scanner.ApprovalUnapproved}
	}
	e := &a.entries[i]
	return scanner.Approval{Status: e.Effective(), Owner: e.Owner, Ticket: e.Ticket, Expires: e.Expires, Notes: e.Notes,
		Scopes: e.Scopes, AWSAccounts: e.AWSAccounts}
}

// Entries returns every entry in file order.
func (a *Approvals) Entries() []ApprovalEntry {
	if a == nil {
		return nil
	}
	return append([]ApprovalEntry(nil), a.entries...)
}

// Entry returns the entry of a vendor ID.
func (a *Approvals) Entry(vendorID string) (ApprovalEntry, bool) {
	if a == nil {
		return ApprovalEntry{}, false
	}
	i, ok := a.byID[vendorID]
	if !ok {
		return ApprovalEntry{}, false
	}
	return a.entries[i], true
}

// ApprovedIn lists the vendors in a subcategory that are approved or tolerated (and not expired), approved first,
// then by name: what the organisation already owns there, with owners.
func (a *Approvals) ApprovedIn(subcategory string) []ApprovalEntry {
	var out []ApprovalEntry
	for _, t := range sortedTools(New(a, nil).Tools(), false) {
		if slices.Contains(t.Subcategories, subcategory) {
			out = append(out, a.entries[a.byID[t.VendorID]])
		}
	}
	return out
}

// LoadApprovals reads and validates the approved-tools file. now decides which approvals have expired.
func LoadApprovals(file string, vendors VendorIndex, now time.Time) (*Approvals, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("approved-tools file: %w", err)
	}
	return ParseApprovals(file, data, vendors, now)
}

var approvalKeys = slices.Concat([]string{"vendor", "status", "owner", "ticket", "expires", "scopes", "aws_accounts", "notes"},
	localOnlyKeys)

var awsAccountRE = regexp.MustCompile(`^[0-9]{12}$`)

// ParseApprovals validates an approved-tools file: a YAML list of {vendor, status, owner, ticket, expires,
// scopes, aws_accounts, notes}. An entry naming a vendor the catalogue lacks defines a local vendor (see
// LocalVendor), which may also carry category, subcategories and the signal keys in LocalSignalKeys. Every problem
// is reported, each with file:line:column; what is accepted but worth a look is in Warnings.
func ParseApprovals(file string, data []byte, vendors VendorIndex, now time.Time) (*Approvals, error) {
	a := &Approvals{byID: map[string]int{}}
	doc, err := yamlpos.Parse(file, data)
	if err != nil {
		return nil, err
	}
	items, lerr := doc.Items("the approved-tools file must be a list of {vendor, status, …} entries")
	if lerr != nil {
		return nil, lerr
	}
	var errs yamlpos.Errors
	for i, n := range items {
		what := fmt.Sprintf("entry %d", i+1)
		f, _, es := doc.Fields(n, "", what, approvalKeys...)
		errs = append(errs, es...)
		if f == nil {
			continue
		}
		e := ApprovalEntry{File: file, Line: n.Line}
		add := func(err *yamlpos.Error) bool {
			if err != nil {
				errs = append(errs, err)
			}
			return err != nil
		}
		var er *yamlpos.Error
		e.Written, er = doc.Str(f["vendor"], "", "vendor")
		if add(er) {
			continue
		}
		if strings.TrimSpace(e.Written) == "" {
			add(doc.ErrAt(n, "", "%s: vendor is required", what))
			continue
		}
		v, ok := vendors.Lookup(e.Written)
		if ok {
			for _, k := range localOnlyKeys {
				if f[k] != nil {
					add(doc.ErrAt(f[k], "", "vendor %q: %s is only for a vendor the catalogue lacks; %s is in it as %q (change its entry with catalog.extra_files)",
						e.Written, k, e.Written, v.ID))
				}
			}
		} else {
			local, ws, es := parseLocal(doc, f, e.Written, vendors)
			errs = append(errs, es...)
			a.warnings = append(a.warnings, ws...)
			if local == nil {
				continue
			}
			e.Local = local
			v = scanner.Vendor{ID: local.ID, Name: local.Name}
		}
		e.Vendor = v
		status, er := doc.Str(f["status"], "", "status")
		if add(er) {
			continue
		}
		e.Status = strings.ToLower(strings.TrimSpace(status))
		if e.Status == "" {
			add(doc.ErrAt(n, "", "vendor %q: status is required (one of %s)", e.Written, strings.Join(FileStatuses, ", ")))
		} else if !slices.Contains(FileStatuses, e.Status) {
			msg := fmt.Sprintf("vendor %q: status %q is not one of %s", e.Written, status, strings.Join(FileStatuses, ", "))
			if e.Status == scanner.ApprovalExpired || e.Status == scanner.ApprovalUnapproved {
				msg += " (" + e.Status + " is computed: set expires, or leave the vendor out)"
			}
			add(doc.ErrAt(f["status"], "", "%s", msg))
		}
		if e.Owner, er = doc.Str(f["owner"], "", "owner"); add(er) {
			continue
		}
		if e.Ticket, er = doc.Str(f["ticket"], "", "ticket"); add(er) {
			continue
		}
		if e.Notes, er = doc.Str(f["notes"], "", "notes"); add(er) {
			continue
		}
		if x := f["expires"]; x != nil && x.Tag != "!!null" {
			s, er := doc.Str(x, "", "expires")
			if add(er) {
				continue
			}
			t, err := yamlpos.ParseDate(s)
			if err != nil {
				add(doc.ErrAt(x, "", "vendor %q: expires: %v", e.Written, err))
			} else {
				e.Expires = t
				e.Expired = e.Status != scanner.ApprovalBanned && !now.Before(t)
			}
		}
		if e.Scopes, er = doc.StrList(f["scopes"], "", "scopes"); add(er) {
			continue
		}
		for j, s := range e.Scopes {
			at := yamlpos.Item(f["scopes"], j)
			if strings.TrimSpace(s) == "" {
				add(doc.ErrAt(at, "", "vendor %q: scopes: empty scope", e.Written))
				continue
			}
			if err := glob.Validate(NormalizeScope(s)); err != nil {
				add(doc.ErrAt(at, "", "vendor %q: scopes: %v", e.Written, err))
			}
		}
		if e.AWSAccounts, er = doc.StrList(f["aws_accounts"], "", "aws_accounts"); add(er) {
			continue
		}
		for j, acc := range e.AWSAccounts {
			at := yamlpos.Item(f["aws_accounts"], j)
			if !awsAccountRE.MatchString(acc) {
				add(doc.ErrAt(at, "", "vendor %q: aws_accounts: %q is not a 12-digit AWS account ID (quote it in YAML)", e.Written, acc))
			}
		}
		if prev, dup := a.byID[v.ID]; dup {
			p := a.entries[prev]
			add(doc.ErrAt(f["vendor"], "", "vendor %q: already listed at line %d (as %q)", e.Written, p.Line, p.Written))
			continue
		}
		a.byID[v.ID] = len(a.entries)
		a.entries = append(a.entries, e)
	}
	if len(errs) > 0 {
		yamlpos.SortErrors(errs)
		return nil, errs.Err()
	}
	return a, nil
}

// Warnings are what the file says that is accepted but worth a look (file:line:column: message), such as a
// vendor the catalogue lacks that is matched by name only.
func (a *Approvals) Warnings() []string {
	if a == nil {
		return nil
	}
	return a.warnings
}

func quoteList(s []string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	switch len(q) {
	case 1:
		return q[0]
	case 2:
		return q[0] + " or " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
