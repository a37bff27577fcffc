package expenses

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

func TestRegistered(t *testing.T) {
	f, ok := scanner.Lookup("expenses")
	if !ok {
		t.Fatal("expenses is not registered")
	}
	c, ok := f.NewConfig().(*Config)
	if !ok {
		t.Fatalf("NewConfig returned %T", f.NewConfig())
	}
	if c.Format != FormatGeneric || c.OnError != "skip" || c.Currency != "USD" || c.Encoding != EncodingAuto {
		t.Errorf("defaults = %+v", c)
	}
	if len(f.Permissions) == 0 || f.Description == "" {
		t.Error("factory without permissions or description")
	}
	c.Path, c.Format = "x.csv", "ramp"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.New(c, scanner.Deps{Diagnostics: &scanner.Diagnostics{}}); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *Config)
		want string // "" means valid
	}{
		{"preset", func(c *Config) { c.Format = "ramp" }, ""},
		{"preset upper case", func(c *Config) { c.Format = "Cardlay" }, ""},
		{"generic", func(c *Config) {
			c.Columns = map[string]string{FieldDate: "d", FieldMerchant: "m", FieldAmount: "a"}
		}, ""},
		{"no path", func(c *Config) { c.Format, c.Path = "ramp", "" }, "path: must not be empty"},
		{"paths only", func(c *Config) { c.Format, c.Path, c.Paths = "ramp", "", []string{"a.csv"} }, ""},
		{"empty paths entry", func(c *Config) { c.Format, c.Paths = "ramp", []string{" "} }, "paths[0]: must not be empty"},
		{"unknown format", func(c *Config) { c.Format = "brex" }, `format: unknown format "brex" (known: generic, cardboard, cardlay, expend, ramp)`},
		{"generic without columns", func(c *Config) {}, "columns: format generic needs the columns of date, merchant, amount"},
		{"generic missing amount", func(c *Config) {
			c.Columns = map[string]string{FieldDate: "d", FieldMerchant: "m"}
		}, "columns: format generic needs the columns of amount"},
		{"unknown column key", func(c *Config) {
			c.Format = "ramp"
			c.Columns = map[string]string{"vendor": "x"}
		}, "columns.vendor: unknown field"},
		{"empty column", func(c *Config) {
			c.Format = "ramp"
			c.Columns = map[string]string{FieldMemo: " "}
		}, "columns.memo: must not be empty"},
		{"bad date format", func(c *Config) { c.Format, c.DateFormats = "ramp", []string{"YYYY-MM-DD", "QQ"} }, "date_formats[1]:"},
		{"bad currency", func(c *Config) { c.Format, c.Currency = "ramp", "dollars" }, `currency: "dollars" is not an ISO 4217 code`},
		{"lower-case currency", func(c *Config) { c.Format, c.Currency = "ramp", "eur" }, ""},
		{"bad decimal", func(c *Config) { c.Format, c.Decimal = "ramp", "dot" }, "decimal:"},
		{"bad charge_sign", func(c *Config) { c.Format, c.ChargeSign = "ramp", "minus" }, "charge_sign:"},
		{"delimiter tab", func(c *Config) { c.Format, c.Delimiter = "ramp", "tab" }, ""},
		{"delimiter semicolon", func(c *Config) { c.Format, c.Delimiter = "ramp", ";" }, ""},
		{"delimiter two chars", func(c *Config) { c.Format, c.Delimiter = "ramp", ";;" }, "delimiter:"},
		{"delimiter quote", func(c *Config) { c.Format, c.Delimiter = "ramp", `"` }, "delimiter:"},
		{"bad encoding", func(c *Config) { c.Format, c.Encoding = "ramp", "latin9" }, "encoding:"},
		{"bad on_error", func(c *Config) { c.Format, c.OnError = "ignore", "ramp" }, "on_error:"},
		{"negative max_groups", func(c *Config) { c.Format, c.MaxGroups = "ramp", -1 }, "max_groups:"},
	}
	for _, tc := range tests {
		c := NewConfig()
		c.Path = "x.csv"
		tc.mod(c)
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMapping(t *testing.T) {
	c := NewConfig()
	c.Format = "cardlay"
	c.Columns = map[string]string{FieldMerchant: "Vendor", FieldMCC: "MCC"}
	c.Delimiter = "tab"
	m := c.Mapping()
	if m.Columns[FieldMerchant] != "Vendor" || m.Columns[FieldDate] != "Transaction date" || m.Columns[FieldMCC] != "MCC" {
		t.Errorf("columns = %v", m.Columns)
	}
	if strings.Join(m.Required, ",") != FieldMCC || m.ChargeSign != SignAbsolute || m.Delimiter != '\t' {
		t.Errorf("mapping = %+v", m)
	}
	c.ChargeSign = SignNegative
	if c.Mapping().ChargeSign != SignNegative {
		t.Error("charge_sign does not override the preset")
	}
	g := NewConfig()
	g.Columns = map[string]string{FieldDate: "d", FieldMerchant: "m", FieldAmount: "a"}
	if gm := g.Mapping(); gm.ChargeSign != SignPositive || gm.Delimiter != 0 || len(gm.Required) != 0 {
		t.Errorf("generic mapping = %+v", gm)
	}
}

func TestResolvePaths(t *testing.T) {
	c := NewConfig()
	c.Path, c.Paths = "a.csv", []string{"b.csv"}
	c.ResolvePaths(func(p string) string { return "/cfg/" + p })
	if got := strings.Join(c.Files(), " "); got != "/cfg/a.csv /cfg/b.csv" {
		t.Errorf("files = %s", got)
	}
}

func TestPresetsAreDocumented(t *testing.T) {
	for name, p := range Presets {
		if p.Name != name || !strings.HasPrefix(p.Source, "https://") {
			t.Errorf("preset %s: name %q source %q", name, p.Name, p.Source)
		}
		for _, f := range requiredFields {
			if p.Columns[f] == "" {
				t.Errorf("preset %s has no %s column", name, f)
			}
		}
		for f := range p.Columns {
			if !contains(Fields, f) {
				t.Errorf("preset %s: unknown field %s", name, f)
			}
		}
	}
}
