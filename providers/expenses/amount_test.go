package expenses

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, decimal string
		want        Money
		cur         string
		err         string
	}{
		{in: "39.00", want: 390000},
		{in: "39", want: 390000},
		{in: "1,234.56", want: 12345600},
		{in: "1.234,56", want: 12345600},
		{in: "1 234,56", want: 12345600},
		{in: "1\u00a0234,56", want: 12345600},
		{in: "1\u202f234,56", want: 12345600},
		{in: "1'234.50", want: 12345000},
		{in: "1,234,567.89", want: 12345678900},
		{in: "1.234.567,89", want: 12345678900},
		{in: "1,234", want: 12340000}, // a single comma before three digits groups thousands
		{in: "1.234", want: 12340},    // a single point is a decimal point
		{in: "1.234", decimal: DecimalComma, want: 12340000},
		{in: "12,5", want: 125000},
		{in: "12,50", want: 125000},
		{in: ".5", want: 5000},
		{in: "12.", want: 120000},
		{in: "(45.00)", want: -450000},
		{in: "($12.00)", want: -120000, cur: "USD"},
		{in: "-45.00", want: -450000},
		{in: "45.00-", want: -450000},
		{in: "−7.00", want: -70000},
		{in: "+7.00", want: 70000},
		{in: "$-39.00", want: -390000, cur: "USD"},
		{in: "-$39.00", want: -390000, cur: "USD"},
		{in: "12.50 CR", want: -125000},
		{in: "12.50DR", want: 125000},
		{in: "$1,234.56", want: 12345600, cur: "USD"},
		{in: "€ 12,50", want: 125000, cur: "EUR"},
		{in: "12,50 €", want: 125000, cur: "EUR"},
		{in: "£9.99", want: 99900, cur: "GBP"},
		{in: "9.99 GBP", want: 99900, cur: "GBP"},
		{in: "usd 12", want: 120000, cur: "USD"},
		{in: "US$ 5", want: 50000, cur: "USD"},
		{in: "C$5", want: 50000, cur: "CAD"},
		{in: "1.23456", want: 12346}, // four decimals kept, the fifth rounds
		{in: "1.23454", want: 12345},
		{in: "'39.00", want: 390000}, // Excel's text marker
		{in: "0.00", want: 0},
		{in: "9999999999999", want: 99999999999990000},
		{in: "", err: "empty"},
		{in: "   ", err: "empty"},
		{in: "abc", err: "not a number"},
		{in: "twelve", err: "not a number"},
		{in: "=1+2", err: "not a number"},
		{in: "--5", err: "more than one sign"},
		{in: "(-5)", err: "more than one sign"},
		{in: "1.2.3", decimal: DecimalPoint, err: "two decimal separators"},
		{in: "1,234.5,6", err: "thousands separator after the decimal"},
		{in: "1,,234", err: "misplaced separator"},
		{in: "1,234,", err: "ends with a separator"},
		{in: "$", err: "no digits"},
		{in: "()", err: "no digits"},
		{in: "€5 USD", err: "two currencies"},
		{in: "99999999999999", err: "too large"},
		{in: "12 ABC", err: "not a number"},
	}
	for _, tc := range tests {
		dec := tc.decimal
		if dec == "" {
			dec = DecimalAuto
		}
		got, cur, err := ParseAmount(tc.in, dec, "USD")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAmount(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || cur != tc.cur {
			t.Errorf("ParseAmount(%q) = %d, %q, %v; want %d, %q", tc.in, got, cur, err, tc.want, tc.cur)
		}
	}
}

func TestParseAmountDollarFollowsDefault(t *testing.T) {
	if _, cur, _ := ParseAmount("$5", DecimalAuto, "CAD"); cur != "CAD" {
		t.Errorf("$ with default CAD = %q", cur)
	}
	if _, cur, _ := ParseAmount("$5", DecimalAuto, "EUR"); cur != "USD" {
		t.Errorf("$ with default EUR = %q", cur)
	}
	if _, cur, _ := ParseAmount("5 kr", DecimalAuto, "DKK"); cur != "DKK" {
		t.Errorf("kr with default DKK = %q", cur)
	}
}

func TestParseCurrency(t *testing.T) {
	for in, want := range map[string]string{"usd": "USD", " EUR ": "EUR", "€": "EUR", "$": "USD", "": ""} {
		if got, err := ParseCurrency(in, "USD"); err != nil || got != want {
			t.Errorf("ParseCurrency(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"XYZ", "dollars", "=A1"} {
		if _, err := ParseCurrency(in, "USD"); err == nil {
			t.Errorf("ParseCurrency(%q): no error", in)
		}
	}
}

func TestMoneyFloat(t *testing.T) {
	for m, want := range map[Money]float64{390000: 39, 12345: 1.23, 12355: 1.24, -450000: -45, 0: 0} {
		if got := m.Float(); got != want {
			t.Errorf("Money(%d).Float() = %v, want %v", m, got, want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"39.00", "1,234.56", "1.234,56", "(45.00)", "$-39.00", "12.50 CR", "€ 12,50", "1'234.50",
		"US$ 5", "−7.00", "abc", "", "((1))", "1e9", "٣٤", "0x10", "9999999999999.99999"} {
		f.Add(s, DecimalAuto)
		f.Add(s, DecimalComma)
	}
	f.Fuzz(func(t *testing.T, s, decimal string) {
		v, cur, err := ParseAmount(s, decimal, "USD")
		if err != nil {
			if v != 0 || cur != "" {
				t.Fatalf("ParseAmount(%q) returned a value with an error", s)
			}
			return
		}
		if v.abs() > Money(1e13*moneyScale) {
			t.Fatalf("ParseAmount(%q) = %d beyond the bound", s, v)
		}
		if cur != "" && !isoCurrencies[cur] {
			t.Fatalf("ParseAmount(%q) currency %q is not ISO 4217", s, cur)
		}
	})
}
