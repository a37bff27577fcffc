package expenses

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

var basicMapping = Mapping{Columns: map[string]string{FieldDate: "Date", FieldMerchant: "Merchant",
	FieldAmount: "Amount", FieldPerson: "Cardholder", FieldMemo: "Memo"}, Decimal: DecimalAuto, ChargeSign: SignPositive,
	Encoding: EncodingAuto, Currency: "USD"}

type badRow struct {
	line int
	err  string
}

func parseAll(t testing.TB, data []byte, m Mapping) ([]Txn, []badRow, Stats, error) {
	t.Helper()
	var txns []Txn
	var bad []badRow
	st, err := Parse(bytes.NewReader(data), "x.csv", m, func(tx Txn) error {
		txns = append(txns, tx)
		return nil
	}, func(file string, line int, err error) error {
		if file != "x.csv" {
			t.Errorf("onBad file %q", file)
		}
		bad = append(bad, badRow{line, err.Error()})
		return nil
	})
	return txns, bad, st, err
}

const sample = "Date,Merchant,Amount,Cardholder,Memo\n" +
	"2026-01-03,SQ *HOTJAR,39.00,Alice Moreau,Café crème\n" +
	"2026-02-03,SQ *HOTJAR,\"1,039.00\",Alice Moreau,\"two\nlines\"\n" +
	"2026-03-03,ZOOM.US,15.99,Erin Lopez,\n"

func checkSample(t *testing.T, txns []Txn, bad []badRow, err error) {
	t.Helper()
	if err != nil || len(bad) != 0 {
		t.Fatalf("err %v, bad %v", err, bad)
	}
	if len(txns) != 3 {
		t.Fatalf("%d transactions", len(txns))
	}
	if txns[0].Memo != "Café crème" || txns[1].Memo != "two\nlines" || txns[1].Amount != 10390000 {
		t.Errorf("txns = %+v", txns)
	}
	if txns[0].Line != 2 || txns[1].Line != 3 || txns[2].Line != 5 {
		t.Errorf("lines %d %d %d, want 2 3 5", txns[0].Line, txns[1].Line, txns[2].Line)
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	u := utf16.Encode([]rune(s))
	if bom {
		u = append([]uint16{0xFEFF}, u...)
	}
	for _, c := range u {
		if bigEndian {
			out = append(out, byte(c>>8), byte(c))
		} else {
			out = append(out, byte(c), byte(c>>8))
		}
	}
	return out
}

func TestParseEncodings(t *testing.T) {
	win1252 := bytes.ReplaceAll([]byte(sample), []byte("Café crème"), []byte("Caf\xe9 cr\xe8me"))
	cases := []struct {
		name, enc string
		data      []byte
		wantEnc   string
	}{
		{"utf-8", "", []byte(sample), EncodingUTF8},
		{"utf-8 bom", "", append([]byte{0xEF, 0xBB, 0xBF}, sample...), "utf-8-bom"},
		{"utf-16le bom", "", utf16Bytes(sample, false, true), EncodingUTF16LE},
		{"utf-16be bom", "", utf16Bytes(sample, true, true), EncodingUTF16BE},
		{"utf-16le sniffed", "", utf16Bytes(sample, false, false), EncodingUTF16LE},
		{"utf-16be sniffed", "", utf16Bytes(sample, true, false), EncodingUTF16BE},
		{"utf-16le configured", EncodingUTF16LE, utf16Bytes(sample, false, false), EncodingUTF16LE},
		{"windows-1252 fallback", "", win1252, EncodingUTF8},
		{"windows-1252 configured", EncodingWindows1252, win1252, EncodingWindows1252},
		{"crlf", "", bytes.ReplaceAll([]byte(sample), []byte("\n"), []byte("\r\n")), EncodingUTF8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := basicMapping
			if tc.enc != "" {
				m.Encoding = tc.enc
			}
			txns, bad, st, err := parseAll(t, tc.data, m)
			checkSample(t, txns, bad, err)
			if st.Encoding != tc.wantEnc {
				t.Errorf("encoding %q, want %q", st.Encoding, tc.wantEnc)
			}
		})
	}
}

func TestParseClassicMacLineEndings(t *testing.T) {
	data := "Date,Merchant,Amount\r2026-01-03,SQ *HOTJAR,39.00\r2026-02-03,SQ *HOTJAR,39.00\r"
	txns, bad, _, err := parseAll(t, []byte(data), basicMapping)
	if err != nil || len(bad) != 0 || len(txns) != 2 || txns[1].Line != 3 {
		t.Fatalf("txns %+v bad %v err %v", txns, bad, err)
	}
}

func TestSniffDelimiter(t *testing.T) {
	for _, tc := range []struct {
		head string
		want rune
		sep  bool
	}{
		{"a,b,c\n1,2,3\n", ',', false},
		{"a;b;c\n1;\"2,5\";3\n", ';', false},
		{"Datum;Betrag\n01.02.2026;1.234,56\n01.03.2026;12,50\n", ';', false},
		{"a\tb\tc\n1\t2\t3\n", '\t', false},
		{"a|b|c\n", '|', false},
		{"sep=;\na;b\n", ';', true},
		{"SEP=|\na|b\n", '|', true},
		{"Statement\nPeriod: Jan\n\na,b,c\n1,2,3\n4,5,6\n", ',', false},
		{"single\n", ',', false},
		{"", ',', false},
	} {
		got, sep := sniffDelimiter([]byte(tc.head), 0)
		if got != tc.want || sep != tc.sep {
			t.Errorf("sniffDelimiter(%q) = %q %v, want %q %v", tc.head, got, sep, tc.want, tc.sep)
		}
	}
	if got, sep := sniffDelimiter([]byte("sep=;\na,b\n"), ','); got != ',' || !sep {
		t.Errorf("a configured delimiter must win over sep=: %q %v", got, sep)
	}
}

func TestParseHeaderMatching(t *testing.T) {
	data := "\uFEFF  TRANSACTION_TIME ,Merchant-Name,  amount\n2026-01-03T10:00:00Z,SQ *HOTJAR,39.00\n"
	m := Mapping{Columns: Presets["ramp"].Columns, Currency: "USD"}
	txns, bad, st, err := parseAll(t, []byte(data), m)
	if err != nil || len(bad) != 0 || len(txns) != 1 || st.HeaderLine != 1 {
		t.Fatalf("txns %+v bad %v err %v st %+v", txns, bad, err, st)
	}
}

func TestParseNoHeader(t *testing.T) {
	for name, data := range map[string]string{
		"empty":          "",
		"only blanks":    "\n\n,,,\n",
		"wrong columns":  "When,Who,HowMuch\n2026-01-01,x,1\n",
		"header too far": strings.Repeat("junk\n", 60) + "Date,Merchant,Amount\n",
	} {
		_, _, _, err := parseAll(t, []byte(data), basicMapping)
		if err == nil || !strings.Contains(err.Error(), "no header row") || !strings.Contains(err.Error(), "x.csv") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A column named explicitly (not from a preset) must be there.
	m := basicMapping
	m.Required = []string{FieldMemo}
	_, _, _, err := parseAll(t, []byte("Date,Merchant,Amount\n2026-01-01,X,1\n"), m)
	if err == nil || !strings.Contains(err.Error(), `memo="Memo"`) {
		t.Errorf("missing required memo column: %v", err)
	}
}

func TestParseRecordTooLarge(t *testing.T) {
	m := basicMapping
	m.MaxRecordBytes = 1024
	var b bytes.Buffer
	b.WriteString("Date,Merchant,Amount\n2026-01-03,SQ *HOTJAR,39.00\n2026-01-04,\"unbalanced,1\n")
	for range 5000 { // past the limit plus the read-ahead buffer
		b.WriteString("2026-01-05,SQ *HOTJAR,39.00\n")
	}
	txns, _, _, err := parseAll(t, b.Bytes(), m)
	if err == nil || !strings.Contains(err.Error(), "x.csv:3: a record is larger than 1024 bytes") {
		t.Fatalf("err = %v", err)
	}
	if len(txns) != 1 {
		t.Errorf("%d transactions before the bad record, want 1", len(txns))
	}
	// A long single line without quotes is stopped too.
	_, _, _, err = parseAll(t, append([]byte("Date,Merchant,Amount\n"), bytes.Repeat([]byte("x"), 300<<10)...), m)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("long line: err = %v", err)
	}
}

func TestParseStopsOnCallbackErrors(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Parse(strings.NewReader(sample), "x.csv", basicMapping, func(Txn) error {
		n++
		return stop
	}, nil)
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn error: err %v after %d", err, n)
	}
	data := "Date,Merchant,Amount\n2026-01-03,X,abc\n2026-01-04,X,1\n"
	called := 0
	_, err = Parse(strings.NewReader(data), "x.csv", basicMapping, func(Txn) error {
		called++
		return nil
	}, func(file string, line int, err error) error { return &RowError{File: file, Line: line, Err: err} })
	var re *RowError
	if !errors.As(err, &re) || re.Line != 2 || called != 0 || !strings.HasPrefix(err.Error(), "x.csv:2: amount:") {
		t.Errorf("onBad error: %v, %d transactions", err, called)
	}
}

func TestParseLineNumbersAfterQuotedNewlines(t *testing.T) {
	data := "sep=,\nDate,Merchant,Amount,Memo\n" +
		"2026-01-03,X,1,\"a\nb\nc\"\n" +
		"2026-01-04,X,bad,\"d\ne\"\n" +
		"2026-01-05,X\"Y,1,\n" +
		"2026-01-06,X,1,\"unterminated\n" +
		"2026-01-07,X,1,\n"
	m := basicMapping
	m.Columns = map[string]string{FieldDate: "Date", FieldMerchant: "Merchant", FieldAmount: "Amount", FieldMemo: "Memo"}
	txns, bad, _, err := parseAll(t, []byte(data), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != 1 || txns[0].Line != 3 {
		t.Errorf("txns %+v", txns)
	}
	want := []int{6, 8, 9}
	if len(bad) != len(want) {
		t.Fatalf("bad = %v", bad)
	}
	for i, l := range want {
		if bad[i].line != l {
			t.Errorf("bad row %d at line %d, want %d (%v)", i, bad[i].line, l, bad)
		}
	}
	if !strings.Contains(bad[2].err, "(the quoted field opened on line 9)") {
		t.Errorf("unterminated quote: %q", bad[2].err)
	}
}

// FuzzParse drives the whole CSV path with arbitrary bytes: it must never panic, never report a transaction
// without a date, merchant or amount, and account for every data row.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample), byte(0))
	f.Add([]byte("sep=;\nDate;Merchant;Amount\n03.01.2026;X;\"1.234,56\"\n"), byte(0))
	f.Add(utf16Bytes(sample, false, true), byte(0))
	f.Add([]byte("Date,Merchant,Amount\n2026-01-03,\"a\"b,1\n\"\n"), byte(','))
	f.Add([]byte("Date\tMerchant\tAmount\n2026-01-03\t\x1b[31mX\t(5)\n"), byte('\t'))
	f.Add([]byte("\xff\xfe\x00\x00garbage"), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, delim byte) {
		m := basicMapping
		if delim == ',' || delim == ';' || delim == '\t' || delim == '|' {
			m.Delimiter = rune(delim)
		}
		m.MaxRecordBytes = 4096
		var txns, bad int
		st, err := Parse(bytes.NewReader(data), "f.csv", m, func(tx Txn) error {
			txns++
			if tx.Date.IsZero() || tx.Merchant == "" || tx.Amount == 0 || tx.Line < 1 || tx.Currency == "" {
				t.Fatalf("incomplete transaction %+v", tx)
			}
			if !utf8.ValidString(tx.Merchant) || !utf8.ValidString(tx.Memo) {
				t.Fatalf("invalid UTF-8 in %+v", tx)
			}
			return nil
		}, func(file string, line int, err error) error {
			bad++
			if line < 1 || err == nil {
				t.Fatalf("bad row at line %d: %v", line, err)
			}
			return nil
		})
		skipped := 0
		for _, n := range st.Skipped {
			skipped += n
		}
		if err == nil && txns+bad+skipped != st.Rows {
			t.Fatalf("rows %d != transactions %d + bad %d + skipped %d", st.Rows, txns, bad, skipped)
		}
		g := newGrouper(1000)
		_ = g.records()
	})
}

// genReader produces an export of n generated rows lazily, so a million rows never sit in memory.
type genReader struct {
	n, i    int
	buf     []byte
	started bool
}

var (
	genMerchants = []string{"SQ *HOTJAR", "CANVA* 04412345678", "SEMRUSH.COM BOSTON MA", "PAYPAL *HOOTSUITE",
		"MAILCHIMP *MONTHLY", "ZOOM.US 888-799-9666", "UNITED AIRLINES", "TST* SWEETGREEN NEW YORK NY",
		"UBER *TRIP HELP.UBER.COM", "GOOGLE *ADS1234567"}
	genPeople = func() []string {
		out := make([]string, 500)
		for i := range out {
			out[i] = fmt.Sprintf("person%03d@northwind.example", i)
		}
		return out
	}()
)

func (g *genReader) Read(p []byte) (int, error) {
	if !g.started {
		g.started = true
		g.buf = append(g.buf, "Date,Merchant,Amount,Currency,Cardholder,Memo\n"...)
	}
	for len(g.buf) < len(p) && g.i < g.n {
		i := g.i
		day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%700)
		g.buf = day.AppendFormat(g.buf, "2006-01-02")
		g.buf = append(g.buf, ',')
		g.buf = append(g.buf, genMerchants[(i/7)%len(genMerchants)]...)
		g.buf = fmt.Appendf(g.buf, ",\"%d,%03d.%02d\",USD,%s,", 1+i%3, i%1000, i%100, genPeople[(i/3)%len(genPeople)])
		if i%10 == 0 {
			g.buf = append(g.buf, "\"note, with a comma\""...)
		}
		g.buf = append(g.buf, '\n')
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}
