package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// InventoryCSV writes one row per vendor: what finance and marketing ops ask for (approval, users, sources,
// monthly spend). Every cell is neutralised against spreadsheet formula injection.
type InventoryCSV struct{ opts Options }

var inventoryHeader = []string{"vendor_id", "vendor_name", "category", "martech", "approval", "user_count", "users",
	"sources", "records", "monthly_spend", "first_seen", "last_seen"}

// Write implements Writer.
func (c InventoryCSV) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(inventoryHeader); err != nil {
		return err
	}
	for _, it := range rep.Inventory {
		row := []string{it.Vendor.ID, it.Vendor.Name, categoryName(c.opts, it.Vendor.Category), strconv.FormatBool(it.Vendor.Martech),
			it.Approval, strconv.Itoa(it.UserCount), strings.Join(it.Users, "; "), strings.Join(it.Sources, "; "),
			strconv.Itoa(it.Records), spendText(it.MonthlySpend), dateText(it.FirstSeen), dateText(it.LastSeen)}
		if err := writeSafeRow(cw, row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// spendText is "39.00 USD; 12.50 EUR" in currency order; "" for none.
func spendText(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, cur := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%.2f %s", m[cur], cur))
	}
	return strings.Join(parts, "; ")
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func categoryName(opts Options, id string) string {
	if opts.CategoryName != nil {
		if n := opts.CategoryName(id); n != "" {
			return n
		}
	}
	return id
}
