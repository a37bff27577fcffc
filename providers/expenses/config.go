package expenses

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Preset is a known export layout: its column names as the vendor documents them, and how it signs amounts.
type Preset struct {
	Name       string
	Columns    map[string]string
	ChargeSign string
	Source     string // where the column names come from
}

// Presets are the export layouts whose column names are confirmed by the vendor's public documentation (see
// README.md for the citations). Anything else is read with format: generic and a columns mapping.
var Presets = map[string]Preset{
	// Ramp's documented CSV layout for card transactions ("Columns must be: transaction_time, amount, user, and
	// merchant_name in that order"). Ramp's own accounting export is user-configurable: read it as generic.
	"ramp": {
		Name: "ramp",
		Columns: map[string]string{FieldDate: "transaction_time", FieldAmount: "amount", FieldPerson: "user",
			FieldMerchant: "merchant_name"},
		ChargeSign: SignPositive,
		Source:     "https://support.ramp.com/hc/en-us/articles/4430474788883-Migrate-your-card-vendors",
	},
	// Cardlay's exported expenses file. The documentation does not say how amounts are signed, so magnitudes are
	// read and refunds come from Transaction type.
	"cardlay": {
		Name: "cardlay",
		Columns: map[string]string{FieldDate: "Transaction date", FieldType: "Transaction type",
			FieldMerchant: "Merchant name", FieldCategory: "Category", FieldMemo: "Comment", FieldAmount: "Amount",
			FieldCurrency: "Currency", FieldPerson: "Employee name", FieldDepartment: "Team name"},
		ChargeSign: SignAbsolute,
		Source:     "https://cardlayhelp.zendesk.com/hc/en-us/articles/15758791415570-What-does-the-exported-expenses-file-contain",
	},
	// Expend's Default statement format. "description" is the transaction type (Card Transaction, Refund, Add
	// Funds, Cash Withdrawal); "amount" is in the account currency.
	"expend": {
		Name: "expend",
		Columns: map[string]string{FieldDate: "date", FieldPerson: "user", FieldType: "description",
			FieldMerchant: "merchant", FieldAmount: "amount", FieldCurrency: "currency"},
		ChargeSign: SignAbsolute,
		Source:     "https://help.expend.io/en/articles/2971300-csv-export-formats",
	},
	// Cardboard's accounting CSV export: one row per payment or refund; "Account amount" is negative for money
	// withdrawn (the documented example is -9.35).
	"cardboard": {
		Name: "cardboard",
		Columns: map[string]string{FieldDate: "Payment date", FieldMerchant: "Subscription",
			FieldAmount: "Account amount", FieldCurrency: "Account currency", FieldDepartment: "Team", FieldEmail: "Owner"},
		ChargeSign: SignNegative,
		Source:     "https://cardboard.inc/help/accounting-csv-export",
	},
}

// FormatGeneric reads any CSV through a columns mapping.
const FormatGeneric = "generic"

// Config is the expenses provider's settings.
type Config struct {
	// Path is the export file; Paths adds more (monthly exports of the same card program, for instance).
	// Charges are grouped across all of them, so a subscription billed once per file still shows its cadence.
	Path  string   `mapstructure:"path"`
	Paths []string `mapstructure:"paths"`
	// Format is generic or a preset name (ramp, cardlay, expend, cardboard).
	Format string `mapstructure:"format"`
	// Columns maps fields (date, merchant, amount, currency, person, email, department, memo, category, mcc, type)
	// to header names. Required for generic (date, merchant and amount); with a preset it overrides the preset's
	// names. A column named here must be in the file.
	Columns map[string]string `mapstructure:"columns"`
	// DateFormats are tried in order (YYYY-MM-DD, DD/MM/YYYY, MMM DD, YYYY…); empty: the defaults.
	DateFormats []string `mapstructure:"date_formats"`
	// Currency applies when neither a currency column nor the amount cell names one.
	Currency string `mapstructure:"currency"`
	// Decimal is auto, point (1,234.56) or comma (1.234,56).
	Decimal string `mapstructure:"decimal"`
	// ChargeSign is positive (charges positive, refunds negative), negative (charges negative) or absolute (refunds
	// from the type column); empty: the preset's convention, positive for generic.
	ChargeSign string `mapstructure:"charge_sign"`
	// Delimiter is auto, or one character ("," ";" "|"), or "tab".
	Delimiter string `mapstructure:"delimiter"`
	// Encoding is auto, utf-8, utf-16le, utf-16be or windows-1252.
	Encoding string `mapstructure:"encoding"`
	// OnError is skip (report each bad row with file:line, keep going; coverage partial) or fail (stop at the
	// first bad row; nothing is emitted).
	OnError string `mapstructure:"on_error"`
	// MaxGroups bounds the distinct merchant/payer/currency groups held in memory; rows past it are reported.
	MaxGroups int `mapstructure:"max_groups"`
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	return &Config{Format: FormatGeneric, Currency: "USD", Decimal: DecimalAuto, Delimiter: "auto",
		Encoding: EncodingAuto, OnError: "skip", MaxGroups: 200000}
}

// Files returns path and paths, in order.
func (c *Config) Files() []string {
	var out []string
	if c.Path != "" {
		out = append(out, c.Path)
	}
	return append(out, c.Paths...)
}

// ResolvePaths makes file paths relative to the config file.
func (c *Config) ResolvePaths(resolve func(string) string) {
	if c.Path != "" {
		c.Path = resolve(c.Path)
	}
	for i, p := range c.Paths {
		c.Paths[i] = resolve(p)
	}
}

func presetNames() []string {
	out := []string{FormatGeneric}
	for n := range Presets {
		out = append(out, n)
	}
	sort.Strings(out[1:])
	return out
}

// Validate checks the settings; every message names its key.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(c.Files()) == 0 {
		add("path: must not be empty")
	}
	for i, p := range c.Paths {
		if strings.TrimSpace(p) == "" {
			add("paths[%d]: must not be empty", i)
		}
	}
	format := strings.ToLower(c.Format)
	if _, ok := Presets[format]; !ok && format != FormatGeneric {
		add("format: unknown format %q (known: %s)", c.Format, strings.Join(presetNames(), ", "))
	}
	keys := make([]string, 0, len(c.Columns))
	for k := range c.Columns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(Fields, k) {
			add("columns.%s: unknown field (known: %s)", k, strings.Join(Fields, ", "))
		} else if strings.TrimSpace(c.Columns[k]) == "" {
			add("columns.%s: must not be empty", k)
		}
	}
	if format == FormatGeneric {
		var missing []string
		for _, f := range requiredFields {
			if strings.TrimSpace(c.Columns[f]) == "" {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			add("columns: format generic needs the columns of %s", strings.Join(missing, ", "))
		}
	}
	if _, err := compileDateFormats(c.DateFormats); err != nil && len(c.DateFormats) > 0 {
		errs = append(errs, err)
	}
	if !isoCurrencies[strings.ToUpper(c.Currency)] {
		add("currency: %q is not an ISO 4217 code", c.Currency)
	}
	switch c.Decimal {
	case DecimalAuto, DecimalPoint, DecimalComma:
	default:
		add("decimal: %q is not auto, point or comma", c.Decimal)
	}
	switch c.ChargeSign {
	case "", SignPositive, SignNegative, SignAbsolute:
	default:
		add("charge_sign: %q is not positive, negative or absolute", c.ChargeSign)
	}
	if _, err := parseDelimiter(c.Delimiter); err != nil {
		add("delimiter: %v", err)
	}
	switch c.Encoding {
	case EncodingAuto, EncodingUTF8, EncodingUTF16LE, EncodingUTF16BE, EncodingWindows1252:
	default:
		add("encoding: %q is not auto, utf-8, utf-16le, utf-16be or windows-1252", c.Encoding)
	}
	if c.OnError != "skip" && c.OnError != "fail" {
		add("on_error: %q is not skip or fail", c.OnError)
	}
	if c.MaxGroups < 0 {
		add("max_groups: must not be negative")
	}
	return errors.Join(errs...)
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || r == utf8.RuneError {
		return 0, fmt.Errorf("%q is not one character, auto or tab", s)
	}
	if r == '"' || r == '\r' || r == '\n' || r == '\uFFFD' {
		return 0, fmt.Errorf("%q cannot separate fields", s)
	}
	return r, nil
}

// Mapping compiles the settings into a parser Mapping.
func (c *Config) Mapping() Mapping {
	m := Mapping{Columns: map[string]string{}, DateFormats: c.DateFormats, Currency: strings.ToUpper(c.Currency),
		Decimal: c.Decimal, ChargeSign: c.ChargeSign, Encoding: c.Encoding}
	if p, ok := Presets[strings.ToLower(c.Format)]; ok {
		for f, col := range p.Columns {
			m.Columns[f] = col
		}
		if m.ChargeSign == "" {
			m.ChargeSign = p.ChargeSign
		}
	}
	for f, col := range c.Columns {
		m.Columns[f] = col
		if !isRequired(f) {
			m.Required = append(m.Required, f)
		}
	}
	sort.Strings(m.Required)
	if m.ChargeSign == "" {
		m.ChargeSign = SignPositive
	}
	m.Delimiter, _ = parseDelimiter(c.Delimiter)
	return m
}
