package expenses

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Money is an amount in ten-thousandths of a currency unit, so that sums of many charges stay exact.
type Money int64

const moneyScale = 10000

// maxIntegerDigits bounds the integer part of an amount (10^13 units is far beyond any card charge).
const maxIntegerDigits = 13

// Float returns m rounded to two decimals.
func (m Money) Float() float64 {
	return math.Round(float64(m)/moneyScale*100) / 100
}

func (m Money) abs() Money {
	if m < 0 {
		return -m
	}
	return m
}

// Decimal separator modes for ParseAmount.
const (
	DecimalAuto  = "auto"  // the last of "." and "," is the decimal separator; see ParseAmount
	DecimalPoint = "point" // 1,234.56
	DecimalComma = "comma" // 1.234,56
)

var errEmpty = errors.New("empty")

// currencySymbols maps the symbols seen in amount cells to ISO 4217 codes. "$" and "kr" are resolved against the
// default currency (see resolveSymbol). Longer symbols come first so that "US$" wins over "$".
var currencySymbols = []struct{ sym, code string }{
	{"US$", "USD"}, {"AU$", "AUD"}, {"CA$", "CAD"}, {"NZ$", "NZD"}, {"HK$", "HKD"}, {"R$", "BRL"},
	{"A$", "AUD"}, {"C$", "CAD"}, {"S$", "SGD"}, {"zł", "PLN"}, {"Kč", "CZK"}, {"kr", "kr"}, {"Fr.", "CHF"},
	{"$", "$"}, {"€", "EUR"}, {"£", "GBP"}, {"¥", "JPY"}, {"₹", "INR"}, {"₩", "KRW"}, {"₽", "RUB"},
	{"₺", "TRY"}, {"₪", "ILS"}, {"₫", "VND"}, {"฿", "THB"}, {"₱", "PHP"}, {"₴", "UAH"},
}

var dollarCurrencies = map[string]bool{"USD": true, "CAD": true, "AUD": true, "NZD": true, "SGD": true,
	"HKD": true, "MXN": true, "TWD": true}

// resolveSymbol turns an ambiguous symbol into a code using the default currency.
func resolveSymbol(code, def string) string {
	switch code {
	case "$":
		if dollarCurrencies[def] {
			return def
		}
		return "USD"
	case "kr":
		if def == "SEK" || def == "NOK" || def == "DKK" || def == "ISK" {
			return def
		}
		return "SEK"
	}
	return code
}

// isoCurrencies lists the active ISO 4217 codes.
var isoCurrencies = func() map[string]bool {
	const codes = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN " +
		"BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
		"GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK " +
		"LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR " +
		"PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP " +
		"SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL"
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// ParseCurrency reads a currency cell: an ISO 4217 code (any case) or a symbol. It returns "" for an empty cell.
func ParseCurrency(s, def string) (string, error) {
	s = strings.TrimFunc(s, isSpace)
	if s == "" {
		return "", nil
	}
	if up := strings.ToUpper(s); isoCurrencies[up] {
		return up, nil
	}
	for _, cs := range currencySymbols {
		if s == cs.sym {
			return resolveSymbol(cs.code, def), nil
		}
	}
	return "", fmt.Errorf("currency %q is not an ISO 4217 code or a known symbol", truncate(s, 40))
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007'
}

// ParseAmount reads a money cell. It accepts:
//   - a sign before or after the number or the currency: -39.00, 39.00-, $-39.00, −39.00 (U+2212);
//   - accounting parentheses for negatives: (39.00), ($39.00);
//   - CR/DR suffixes: 39.00 CR is negative, 39.00 DR positive;
//   - a currency symbol or ISO code before or after: $39.00, 39.00 EUR, € 12,50, US$ 5;
//   - thousands separators ",", ".", space, no-break space, thin space and "'" (1'234.50);
//   - decimal point or comma, per decimal: point, comma, or auto. In auto mode the last of "." and "," is the
//     decimal separator when both appear; a separator that appears more than once groups thousands; a single ","
//     followed by exactly three digits groups thousands (1,234 is 1234) while a single "." is a decimal point
//     (1.234 is 1.234). Set decimal: comma for exports that write 1.234 meaning one thousand.
//
// It returns the value, the currency found in the cell ("" if none) and an error naming what is wrong.
func ParseAmount(s, decimal, defCurrency string) (Money, string, error) {
	orig := s
	s = strings.TrimFunc(s, isSpace)
	if s == "" {
		return 0, "", errEmpty
	}
	s = strings.TrimPrefix(s, "'") // Excel's text marker
	neg := false
	var signs, parens int
	cur := ""
	setCur := func(c string) error {
		if cur != "" && cur != c {
			return fmt.Errorf("amount %q has two currencies", truncate(orig, 40))
		}
		cur = c
		return nil
	}
	for changed := true; changed; {
		changed = false
		s = strings.TrimFunc(s, isSpace)
		if s == "" {
			return 0, "", fmt.Errorf("amount %q has no digits", truncate(orig, 40))
		}
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			parens++
			neg = !neg
			s = s[1 : len(s)-1]
			changed = true
			continue
		}
		if r, n := utf8.DecodeRuneInString(s); r == '-' || r == '−' || r == '+' {
			signs++
			if r != '+' {
				neg = !neg
			}
			s = s[n:]
			changed = true
			continue
		}
		if r, n := utf8.DecodeLastRuneInString(s); r == '-' || r == '−' || r == '+' {
			signs++
			if r != '+' {
				neg = !neg
			}
			s = s[:len(s)-n]
			changed = true
			continue
		}
		if len(s) > 2 {
			if suf := strings.ToUpper(s[len(s)-2:]); (suf == "CR" || suf == "DR") && !isLetter(s[len(s)-3]) {
				signs++
				if suf == "CR" {
					neg = !neg
				}
				s = s[:len(s)-2]
				changed = true
				continue
			}
		}
		if len(s) > 3 && isLetter(s[0]) && isLetter(s[1]) && isLetter(s[2]) && !isLetter(s[3]) {
			if code := strings.ToUpper(s[:3]); isoCurrencies[code] {
				if err := setCur(code); err != nil {
					return 0, "", err
				}
				s = s[3:]
				changed = true
				continue
			}
		}
		if n := len(s); n > 3 && isLetter(s[n-1]) && isLetter(s[n-2]) && isLetter(s[n-3]) && !isLetter(s[n-4]) {
			if code := strings.ToUpper(s[n-3:]); isoCurrencies[code] {
				if err := setCur(code); err != nil {
					return 0, "", err
				}
				s = s[:n-3]
				changed = true
				continue
			}
		}
		for _, cs := range currencySymbols {
			if strings.HasPrefix(s, cs.sym) {
				if err := setCur(resolveSymbol(cs.code, defCurrency)); err != nil {
					return 0, "", err
				}
				s = s[len(cs.sym):]
				changed = true
				break
			}
			if strings.HasSuffix(s, cs.sym) && len(s) > len(cs.sym) {
				if err := setCur(resolveSymbol(cs.code, defCurrency)); err != nil {
					return 0, "", err
				}
				s = s[:len(s)-len(cs.sym)]
				changed = true
				break
			}
		}
	}
	if signs+parens > 1 {
		return 0, "", fmt.Errorf("amount %q has more than one sign", truncate(orig, 40))
	}
	v, err := parseNumber(s, decimal)
	if err != nil {
		return 0, "", fmt.Errorf("amount %q: %v", truncate(orig, 40), err)
	}
	if neg {
		v = -v
	}
	return v, cur, nil
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// parseNumber reads digits with thousands and decimal separators (no sign, no currency).
func parseNumber(s, decimal string) (Money, error) {
	if s == "" {
		return 0, errors.New("no digits")
	}
	// Classify each separator.
	var dots, commas, digits int
	lastDot, lastComma := -1, -1
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
			lastDot = i
		case r == ',':
			commas++
			lastComma = i
		case r == '\'' || isSpace(r):
		default:
			return 0, fmt.Errorf("not a number (unexpected %q)", r)
		}
	}
	if digits == 0 {
		return 0, errors.New("no digits")
	}
	var dec rune // 0: no decimal separator
	switch decimal {
	case DecimalPoint:
		if dots > 0 {
			dec = '.'
		}
	case DecimalComma:
		if commas > 0 {
			dec = ','
		}
	default:
		switch {
		case dots > 0 && commas > 0:
			if lastDot > lastComma {
				dec = '.'
			} else {
				dec = ','
			}
		case dots == 1:
			dec = '.'
		case commas == 1:
			if digitsAfter(s, lastComma) != 3 {
				dec = ','
			}
		}
	}
	var intPart, frac []byte
	seenDec := false
	prevSep := true // no separator at the start
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if seenDec {
				frac = append(frac, byte(r))
			} else {
				intPart = append(intPart, byte(r))
			}
			prevSep = false
		case r == dec:
			if seenDec {
				return 0, errors.New("two decimal separators")
			}
			seenDec = true
			prevSep = true
		default: // a thousands separator
			if seenDec {
				return 0, errors.New("a thousands separator after the decimal separator")
			}
			if prevSep {
				return 0, errors.New("misplaced separator")
			}
			prevSep = true
		}
	}
	if prevSep && !(seenDec && len(frac) == 0 && len(intPart) > 0) {
		return 0, errors.New("ends with a separator")
	}
	for len(intPart) > 1 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	if len(intPart) > maxIntegerDigits {
		return 0, errors.New("too large")
	}
	var v int64
	for _, c := range intPart {
		v = v*10 + int64(c-'0')
	}
	v *= moneyScale
	// Four decimals are kept; the fifth rounds half away from zero.
	scale := int64(moneyScale / 10)
	for i, c := range frac {
		if i == 4 {
			if c >= '5' {
				v++
			}
			break
		}
		v += int64(c-'0') * scale
		scale /= 10
	}
	return Money(v), nil
}

func digitsAfter(s string, i int) int {
	n := 0
	for _, r := range s[i+1:] {
		if r < '0' || r > '9' {
			break
		}
		n++
	}
	return n
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
