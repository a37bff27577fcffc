package termprint

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shadowscan/shadowscan/rules/catalog"
)

// VendorList writes `catalog list`: a table of vendors (see catalog.List) with ID, NAME (with "(local)" for a
// vendor the approved-tools file defines), CATEGORY, SUBCATEGORIES, MARTECH, and APPROVAL when approval is not nil
// (the organisation's status of a vendor ID).
func VendorList(w io.Writer, c *catalog.Catalog, category string, martechOnly bool, approval func(id string) string) error {
	entries, err := catalog.List(c, category, martechOnly)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "ID\tNAME\tCATEGORY\tSUBCATEGORIES\tMARTECH"
	if approval != nil {
		head += "\tAPPROVAL"
	}
	fmt.Fprintln(tw, head)
	for _, e := range entries {
		name := e.Name
		if e.Local {
			name += " (local)" // defined by the approved-tools file, not the catalogue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s", cell(e.ID), cell(name), cell(c.CategoryName(e.Category)),
			cell(strings.Join(e.Subcategories, ",")), yesNo(e.Martech))
		if approval != nil {
			fmt.Fprintf(tw, "\t%s", cell(approval(e.ID)))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d vendor(s)\n", len(entries))
	return err
}

// VendorShow writes `catalog show`: every fact of one vendor, found by ID, name or alias, with its sources. An
// unknown vendor is an error that suggests the nearest ones.
func VendorShow(w io.Writer, c *catalog.Catalog, id string) error {
	if c == nil {
		return errors.New("catalog: no catalogue")
	}
	e, ok := c.Lookup(id)
	if !ok {
		msg := fmt.Sprintf("unknown vendor %q", cell(id))
		if s := c.Suggest(id); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
		}
		return errors.New(msg)
	}
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-18s %s\n", label+":", cell(value))
		}
	}
	list := func(label string, vals []string) {
		if len(vals) > 0 {
			line(label, strings.Join(vals, ", "))
		}
	}
	line("id", e.ID)
	line("name", e.Name)
	list("aliases", e.Aliases)
	line("category", fmt.Sprintf("%s (%s)", e.Category, c.CategoryName(e.Category)))
	if len(e.Subcategories) > 0 {
		subs := make([]string, len(e.Subcategories))
		for i, s := range e.Subcategories {
			subs[i] = fmt.Sprintf("%s (%s)", s, c.SubcategoryName(s))
		}
		list("subcategories", subs)
	}
	line("martech", yesNo(e.Martech))
	list("domains", e.Domains)
	list("spf", e.Signals.SPF)
	list("txt", e.Signals.TXT)
	list("cname", e.Signals.CNAME)
	for _, d := range e.Signals.DKIM {
		switch {
		case d.OnlyWithTarget:
			line("dkim", d.Selector+"._domainkey -> "+d.Target+" (the relay's naming of its customers' keys: counts on its own host only)")
		case d.Selector != "" && d.Target != "":
			line("dkim", d.Selector+"._domainkey -> "+d.Target)
		case d.Selector != "":
			line("dkim", "selector "+d.Selector+" (weak: selector names are shared)")
		default:
			line("dkim", "-> "+d.Target)
		}
	}
	list("google_client_ids", e.Signals.GoogleClientIDs)
	list("entra_app_ids", e.Signals.EntraAppIDs)
	list("aws_accounts", e.Signals.AWSAccounts)
	list("merchants", e.Signals.Merchants)
	list("oauth_names", e.Signals.OAuthNames)
	if e.ID == catalog.MicrosoftVendorID && len(c.MicrosoftApps) > 0 {
		line("first-party apps", fmt.Sprintf("%d Microsoft application IDs (microsoft_apps.csv)", len(c.MicrosoftApps)))
	}
	list("data_access", e.DataAccess)
	if len(e.Sources) > 0 {
		b.WriteString("sources:\n")
		for _, s := range e.Sources {
			fmt.Fprintf(&b, "  - %s\n", cell(s))
		}
	}
	if e.File != "" {
		line("defined at", fmt.Sprintf("%s:%d", e.File, e.Line))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// VendorSearch writes `catalog search`: the best matches for text, with ID, NAME, CATEGORY, MATCHED (field and
// value) and SCORE.
func VendorSearch(w io.Writer, c *catalog.Catalog, text string) error {
	if c == nil {
		return errors.New("catalog: no catalogue")
	}
	hits := c.Search(text, 10)
	if len(hits) == 0 {
		_, err := fmt.Fprintf(w, "no vendor matches %q\n", cell(text))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCATEGORY\tMATCHED\tSCORE")
	for _, h := range hits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", cell(h.Entry.ID), cell(h.Entry.Name), cell(h.Entry.Category),
			cell(h.Field+": "+h.Match), h.Score)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
