package expenses

import (
	"fmt"
	"strconv"
	"strings"
)

// Verdict says whether a charge group looks like software, and why. Known is false when nothing in the export
// decides it: the record then carries no software_likely attribute and the catalogue decides alone.
type Verdict struct {
	Known  bool
	Likely bool
	Reason string
}

// softwareMCCs are merchant category codes of software, digital services and advertising.
var softwareMCCs = map[int]string{
	4816: "computer network and information services",
	5734: "computer software stores",
	5817: "digital goods: applications",
	5818: "digital goods: large digital goods merchant",
	5968: "direct marketing: subscription merchants",
	7311: "advertising services",
	7372: "computer programming and data processing",
	7379: "computer maintenance and services",
}

// otherMCCs are ranges of merchant category codes that are travel, meals or retail.
var otherMCCs = []struct {
	lo, hi int
	what   string
}{
	{3000, 3350, "airline"}, {3351, 3500, "car rental"}, {3501, 3999, "lodging"},
	{4011, 4131, "ground transport"}, {4411, 4411, "cruise line"}, {4457, 4468, "boat rental and marina"},
	{4511, 4511, "airline"}, {4582, 4582, "airport"}, {4722, 4722, "travel agency"}, {4784, 4789, "tolls and transport"},
	{5200, 5399, "retail"}, {5411, 5499, "food store"}, {5511, 5599, "automotive and fuel"},
	{5611, 5699, "clothing"}, {5811, 5814, "restaurants and bars"}, {5912, 5912, "drug store"},
	{5921, 5921, "liquor store"}, {5940, 5949, "retail"}, {7011, 7033, "lodging"}, {7511, 7523, "car rental and parking"},
	{7832, 7832, "cinema"}, {7991, 7999, "recreation"},
}

// Category words, matched case-insensitively anywhere in the export's category text.
var (
	softwareWords = []string{"software", "saas", "subscription", "advertising", "marketing", "cloud", "hosting",
		"it services", "internet services", "web services", "digital services", "computer", "licen", "apps"}
	otherWords = []string{"travel", "airfare", "airline", "flight", "hotel", "lodging", "accommodation", "meal",
		"restaurant", "dining", "food", "entertainment", "taxi", "rideshare", "ride share", "car rental", "transport",
		"parking", "fuel", "gas station", "mileage", "rail", "train", "groceries", "grocery", "retail", "clothing",
		"apparel", "office supplies", "shipping", "postage", "coffee", "drinks", "per diem", "lunch", "dinner"}
)

// otherMerchantWords are words of a normalised merchant name that mark travel, meals or retail when the export
// has neither a merchant category code nor a category.
var otherMerchantWords = setOf("AIRLINES AIRLINE AIRWAYS AIRBNB HOTEL HOTELS MARRIOTT HILTON HYATT WESTIN SHERATON " +
	"UBER LYFT TAXI CAB AMTRAK EXPEDIA HERTZ AVIS STARBUCKS CAFE COFFEE RESTAURANT BISTRO GRILL PIZZA PIZZERIA " +
	"DINER PUB TAVERN DOORDASH GRUBHUB SWEETGREEN CHIPOTLE MCDONALDS SHELL CHEVRON EXXON EXXONMOBIL PARKING " +
	"WALMART COSTCO KROGER SAFEWAY WHOLEFDS JETBLUE RYANAIR EASYJET LUFTHANSA")

// ParseMCC reads a merchant category code cell: four digits, optionally followed by a description
// ("5734 - Computer Software Stores"). It returns 0 when there is none.
func ParseMCC(s string) int {
	s = strings.TrimSpace(s)
	n := 0
	for n < len(s) && n < 5 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < 3 || n > 4 {
		return 0
	}
	v, _ := strconv.Atoi(s[:n])
	return v
}

// Classify decides whether a charge looks like software: first by merchant category code, then by the export's
// category text, then by a few unmistakable merchant words (airlines, hotels, ride-hailing, coffee, fuel).
func Classify(mcc, category, merchantName string) Verdict {
	if code := ParseMCC(mcc); code > 0 {
		if what, ok := softwareMCCs[code]; ok {
			return Verdict{Known: true, Likely: true, Reason: fmt.Sprintf("mcc %04d (%s)", code, what)}
		}
		for _, r := range otherMCCs {
			if code >= r.lo && code <= r.hi {
				return Verdict{Known: true, Reason: fmt.Sprintf("mcc %04d (%s)", code, r.what)}
			}
		}
	}
	if c := strings.ToLower(CleanText(category)); c != "" {
		sw, other := firstContained(c, softwareWords), firstContained(c, otherWords)
		switch {
		case sw != "" && other == "":
			return Verdict{Known: true, Likely: true, Reason: fmt.Sprintf("category %q", truncate(c, 60))}
		case other != "" && sw == "":
			return Verdict{Known: true, Reason: fmt.Sprintf("category %q", truncate(c, 60))}
		}
	}
	for _, w := range strings.Fields(merchantName) {
		if otherMerchantWords[w] {
			return Verdict{Known: true, Reason: fmt.Sprintf("merchant word %s", w)}
		}
	}
	return Verdict{}
}

func firstContained(s string, words []string) string {
	for _, w := range words {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// Transaction kinds read from an export's type column.
const (
	txnPurchase = iota
	txnRefund
	txnOther // money movement that is not a purchase: funding, withdrawals, fees, declines
)

var (
	refundTypeWords = setOf("refund refunded chargeback reversal reversed returned return credit cr")
	otherTypeWords  = setOf("deposit transfer withdrawal atm load payout repayment declined decline fee fees " +
		"topup cashback interest exchange")
	otherTypePhrases = []string{"add funds", "top up", "top-up", "pay in", "pay out", "cash withdrawal"}
)

// classifyType reads a transaction type cell ("Card Transaction", "Refund", "Add Funds"). An empty or unknown
// type is a purchase.
func classifyType(t string) int {
	t = strings.ToLower(CleanText(t))
	if t == "" {
		return txnPurchase
	}
	for _, p := range otherTypePhrases {
		if strings.Contains(t, p) {
			return txnOther
		}
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return !(r >= 'a' && r <= 'z') })
	card := false
	for _, w := range words {
		card = card || w == "card"
	}
	for _, w := range words {
		if refundTypeWords[w] && !(w == "credit" && card) {
			return txnRefund
		}
	}
	for _, w := range words {
		if otherTypeWords[w] {
			return txnOther
		}
	}
	return txnPurchase
}
