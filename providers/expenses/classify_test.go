package expenses

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		mcc, category, merchant string
		known, likely           bool
	}{
		{"5734", "", "HOTJAR", true, true},
		{"7372 - Computer programming", "Travel", "X", true, true}, // MCC first
		{"5817", "", "", true, true},
		{"7311", "", "", true, true},
		{"3000", "Software", "", true, false},
		{"3509", "", "", true, false},
		{"4121", "", "", true, false},
		{"5812", "", "", true, false},
		{"7011", "", "", true, false},
		{"5999", "", "", false, false}, // misc retail: undecided
		{"", "Software", "", true, true},
		{"", "SaaS / Software", "", true, true},
		{"", "Dues & Subscriptions", "", true, true},
		{"", "Advertising", "", true, true},
		{"", "Travel", "", true, false},
		{"", "Meals & Entertainment", "", true, false},
		{"", "Restaurants", "", true, false},
		{"", "Marketing meals", "", false, false}, // both: undecided
		{"", "Office", "", false, false},
		{"", "", "UNITED AIRLINES", true, false},
		{"", "", "MARRIOTT", true, false},
		{"", "", "UBER", true, false},
		{"", "", "AIRTABLE", false, false},
		{"", "", "HOTJAR", false, false},
		{"abc", "", "", false, false},
	}
	for _, tc := range tests {
		v := Classify(tc.mcc, tc.category, tc.merchant)
		if v.Known != tc.known || v.Likely != tc.likely || (v.Known && v.Reason == "") {
			t.Errorf("Classify(%q, %q, %q) = %+v, want known=%v likely=%v", tc.mcc, tc.category, tc.merchant, v, tc.known, tc.likely)
		}
	}
}

func TestClassifyType(t *testing.T) {
	for in, want := range map[string]int{
		"": txnPurchase, "Purchase": txnPurchase, "Card Transaction": txnPurchase, "CARD_PAYMENT": txnPurchase,
		"Credit card purchase": txnPurchase, "Refund": txnRefund, "Card refund": txnRefund, "Credit": txnRefund,
		"CHARGEBACK": txnRefund, "Reversal": txnRefund, "Add Funds": txnOther, "Top-up": txnOther,
		"Cash Withdrawal": txnOther, "ATM": txnOther, "Declined": txnOther, "Fee": txnOther, "Transfer": txnOther,
	} {
		if got := classifyType(in); got != want {
			t.Errorf("classifyType(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseMCC(t *testing.T) {
	for in, want := range map[string]int{"5734": 5734, " 742 ": 742, "5734 - Software": 5734, "57345": 0, "": 0, "ab": 0} {
		if got := ParseMCC(in); got != want {
			t.Errorf("ParseMCC(%q) = %d, want %d", in, got, want)
		}
	}
}
