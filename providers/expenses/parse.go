package expenses

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Fields a Mapping can name. Date, merchant and amount are required; the rest are optional.
const (
	FieldDate       = "date"
	FieldMerchant   = "merchant"
	FieldAmount     = "amount"
	FieldCurrency   = "currency"
	FieldPerson     = "person"     // the cardholder's name or email
	FieldEmail      = "email"      // the cardholder's email, when a separate column
	FieldDepartment = "department" // team, department or cost centre
	FieldMemo       = "memo"
	FieldCategory   = "category" // the export's spend category text
	FieldMCC        = "mcc"      // merchant category code
	FieldType       = "type"     // transaction type: purchase, refund, funding…
)

// Fields lists every field a Mapping can name, required ones first.
var Fields = []string{FieldDate, FieldMerchant, FieldAmount, FieldCurrency, FieldPerson, FieldEmail,
	FieldDepartment, FieldMemo, FieldCategory, FieldMCC, FieldType}

var requiredFields = []string{FieldDate, FieldMerchant, FieldAmount}

// Charge sign conventions.
const (
	SignPositive = "positive" // charges are positive, refunds negative
	SignNegative = "negative" // charges are negative (money out), refunds positive
	SignAbsolute = "absolute" // the sign means nothing; refunds come from the type column
)

// Encodings.
const (
	EncodingAuto        = "auto" // BOM, then UTF-16 sniffing, else UTF-8 with Windows-1252 for invalid fields
	EncodingUTF8        = "utf-8"
	EncodingUTF16LE     = "utf-16le"
	EncodingUTF16BE     = "utf-16be"
	EncodingWindows1252 = "windows-1252"
)

// Defaults of a Mapping's limits.
const (
	DefaultMaxRecordBytes = 1 << 20 // a record larger than this stops the file (an unbalanced quote, or not a CSV)
	maxPreambleRows       = 50      // rows searched for the header
	bufSize               = 64 << 10
)

// Mapping says how to read one export: which header names hold which fields, and how its values are written.
type Mapping struct {
	// Columns maps a field (FieldDate…) to its header name. Header names match case-insensitively, with "_", "-"
	// and runs of spaces treated alike ("Merchant Name" matches merchant_name).
	Columns map[string]string
	// Required lists fields besides date, merchant and amount whose column must be present.
	Required    []string
	DateFormats []string // date_formats patterns; empty: DefaultDateFormats
	Currency    string   // when neither a currency column nor the amount says one
	Decimal     string   // DecimalAuto, DecimalPoint or DecimalComma
	ChargeSign  string   // SignPositive, SignNegative or SignAbsolute
	Delimiter   rune     // 0: detect from the first lines (",", ";", tab or "|")
	Encoding    string   // EncodingAuto…
	// MaxRecordBytes bounds one record (0: DefaultMaxRecordBytes), so memory stays bounded on hostile input.
	MaxRecordBytes int
}

// Txn is one card or expense transaction read from an export. Its strings may share memory with the record they
// came from: clone what you keep.
type Txn struct {
	File       string
	Line       int // physical line where the record starts
	Date       time.Time
	Merchant   string // raw descriptor, verbatim
	Amount     Money  // positive: a charge; negative: a refund
	Currency   string
	Person     string
	Email      string
	Department string
	Memo       string // verbatim
	Category   string
	MCC        string
	Type       string
}

// Stats describes what Parse read.
type Stats struct {
	Encoding   string
	Delimiter  rune
	HeaderLine int
	Preamble   int            // rows before the header
	Rows       int            // data rows after the header
	Txns       int            // rows handed to fn
	Bad        int            // rows reported to onBad
	Skipped    map[string]int // rows deliberately not read, by reason ("blank", "zero amount", `type "Fee"`)
}

// RowError is a row that could not be read.
type RowError struct {
	File string
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

var errRecordTooLarge = errors.New("record too large")

// Parse streams the transactions of one export to fn, in file order, in bounded memory. Rows that cannot be read
// go to onBad with their line and the reason; when onBad returns an error, Parse stops and returns it. Rows that
// are deliberately not transactions (funding, declines, zero amounts, blank rows) are counted in Stats.Skipped.
// Parse returns an error when the file cannot be read at all (no header, an I/O error, a record beyond
// MaxRecordBytes) or when fn or onBad returns one.
func Parse(r io.Reader, file string, m Mapping, fn func(Txn) error, onBad func(file string, line int, err error) error) (Stats, error) {
	st := Stats{Skipped: map[string]int{}}
	formats, err := compileDateFormats(m.DateFormats)
	if err != nil {
		return st, err
	}
	if m.MaxRecordBytes <= 0 {
		m.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if m.Currency == "" {
		m.Currency = "USD"
	}

	dec, enc, err := decodeInput(bufio.NewReaderSize(r, bufSize), m.Encoding)
	if err != nil {
		return st, fmt.Errorf("%s: %w", file, err)
	}
	st.Encoding = enc
	pre := bufio.NewReaderSize(dec, bufSize)
	head, err := pre.Peek(bufSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return st, fmt.Errorf("%s: %w", file, err)
	}
	var src io.Reader = pre
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		src = &crToLF{r: pre} // classic Mac line endings
		head = bytes.ReplaceAll(head, []byte{'\r'}, []byte{'\n'})
	}
	delim, sepLine := sniffDelimiter(head, m.Delimiter)
	st.Delimiter = delim
	lim := &limitReader{r: src, limit: -1}
	br := bufio.NewReaderSize(lim, bufSize)
	lineOffset, skipBytes := 0, int64(0)
	if sepLine {
		l, _ := br.ReadString('\n')
		lineOffset, skipBytes = 1, int64(len(l))
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	cr.ReuseRecord = true

	fix := func(s string) string { return s }
	switch enc {
	case EncodingUTF8, "utf-8-bom":
		if m.Encoding == EncodingAuto || m.Encoding == "" {
			fix = fallback1252
		} else {
			fix = func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		}
	}

	var hdr *header
	var firstRow []string
	lastLine := lineOffset
	bad := func(line int, err error) error {
		st.Bad++
		if onBad == nil {
			return nil
		}
		return onBad(file, line, err)
	}
	for {
		lim.limit = skipBytes + cr.InputOffset() + int64(m.MaxRecordBytes) + bufSize
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			if errors.Is(pe.Err, errRecordTooLarge) {
				return st, fmt.Errorf("%s:%d: a record is larger than %d bytes (an unbalanced quote?); the rest of the file was not read",
					file, pe.StartLine+lineOffset, m.MaxRecordBytes)
			}
			lastLine = pe.Line + lineOffset
			if hdr == nil {
				st.Preamble++
				if st.Preamble > maxPreambleRows {
					return st, noHeader(file, m, firstRow)
				}
				continue
			}
			st.Rows++
			if err := bad(pe.StartLine+lineOffset, csvError(pe, lineOffset)); err != nil {
				return st, err
			}
			continue
		case errors.Is(err, errRecordTooLarge):
			return st, fmt.Errorf("%s:%d: a record is larger than %d bytes (an unbalanced quote?); the rest of the file was not read",
				file, lastLine+1, m.MaxRecordBytes)
		case err != nil:
			return st, fmt.Errorf("%s: %w", file, err)
		}
		line := lastLine + 1
		if len(rec) > 0 {
			line, _ = cr.FieldPos(0)
			line += lineOffset
		}
		lastLine = line
		if hdr == nil {
			if isBlank(rec) {
				continue
			}
			if firstRow == nil {
				firstRow = cloneFields(rec, fix)
			}
			if h := matchHeader(rec, m, fix); h != nil {
				hdr = h
				st.HeaderLine = line
				continue
			}
			st.Preamble++
			if st.Preamble > maxPreambleRows {
				return st, noHeader(file, m, firstRow)
			}
			continue
		}
		st.Rows++
		if isBlank(rec) {
			st.Skipped["blank"]++
			continue
		}
		t, skip, err := hdr.txn(rec, fix, formats, m, delim)
		if err != nil {
			if err := bad(line, err); err != nil {
				return st, err
			}
			continue
		}
		if skip != "" {
			st.Skipped[skip]++
			continue
		}
		t.File, t.Line = file, line
		st.Txns++
		if err := fn(t); err != nil {
			return st, err
		}
	}
	if hdr == nil {
		return st, noHeader(file, m, firstRow)
	}
	return st, nil
}

func csvError(pe *csv.ParseError, lineOffset int) error {
	if pe.Line != pe.StartLine {
		return fmt.Errorf("line %d, column %d: %v (the quoted field opened on line %d)",
			pe.Line+lineOffset, pe.Column, pe.Err, pe.StartLine+lineOffset)
	}
	return fmt.Errorf("column %d: %v", pe.Column, pe.Err)
}

func noHeader(file string, m Mapping, first []string) error {
	var want []string
	for _, f := range Fields {
		if c := m.Columns[f]; c != "" && (isRequired(f) || contains(m.Required, f)) {
			want = append(want, fmt.Sprintf("%s=%q", f, c))
		}
	}
	got := "the file is empty"
	if first != nil {
		for i := range first {
			first[i] = fmt.Sprintf("%q", truncate(first[i], 40))
		}
		if len(first) > 20 {
			first = append(first[:20], "…")
		}
		got = "the first row has " + strings.Join(first, ", ")
	}
	return fmt.Errorf("%s: no header row with columns %s in the first %d rows; %s",
		file, strings.Join(want, ", "), maxPreambleRows, got)
}

func isRequired(f string) bool { return contains(requiredFields, f) }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimFunc(f, isSpace) != "" {
			return false
		}
	}
	return true
}

func cloneFields(rec []string, fix func(string) string) []string {
	out := make([]string, len(rec))
	for i, f := range rec {
		out[i] = fix(strings.Clone(f))
	}
	return out
}

// normHeader makes header names comparable: no BOM, lower case, "_" and "-" as spaces, single spaces.
func normHeader(s string) string {
	s = strings.ReplaceAll(s, "\uFEFF", "")
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// header is a matched header row: the column index of each mapped field.
type header struct {
	n   int
	idx map[string]int
}

func matchHeader(rec []string, m Mapping, fix func(string) string) *header {
	pos := map[string]int{}
	for i, h := range rec {
		k := normHeader(fix(h))
		if _, dup := pos[k]; !dup {
			pos[k] = i
		}
	}
	h := &header{n: len(rec), idx: map[string]int{}}
	for f, col := range m.Columns {
		if col == "" {
			continue
		}
		if i, ok := pos[normHeader(col)]; ok {
			h.idx[f] = i
		} else if isRequired(f) || contains(m.Required, f) {
			return nil
		}
	}
	for _, f := range requiredFields {
		if _, ok := h.idx[f]; !ok {
			return nil
		}
	}
	return h
}

// txn reads one data row. It returns a skip reason for rows that are deliberately not transactions.
func (h *header) txn(rec []string, fix func(string) string, formats []dateFormat, m Mapping, delim rune) (Txn, string, error) {
	if len(rec) != h.n {
		extraEmpty := len(rec) > h.n && isBlank(rec[h.n:])
		if !extraEmpty {
			return Txn{}, "", fmt.Errorf("row has %d fields, the header has %d (an unquoted %q inside a field?)",
				len(rec), h.n, string(delim))
		}
	}
	get := func(f string) string {
		i, ok := h.idx[f]
		if !ok || i >= len(rec) {
			return ""
		}
		return fix(rec[i])
	}
	var t Txn
	// Funding, withdrawals, fees and declines are not purchases: skip them before asking for a merchant.
	t.Type = strings.TrimFunc(get(FieldType), isSpace)
	kind := classifyType(t.Type)
	if kind == txnOther {
		return Txn{}, fmt.Sprintf("type %q", truncate(CleanText(t.Type), 40)), nil
	}
	var errs []string
	d, err := parseDate(get(FieldDate), formats)
	if err != nil {
		errs = append(errs, "date: "+err.Error())
	}
	t.Date = d
	t.Merchant = strings.TrimFunc(get(FieldMerchant), isSpace)
	if t.Merchant == "" {
		errs = append(errs, "merchant: empty")
	}
	amt, cellCur, err := ParseAmount(get(FieldAmount), m.Decimal, m.Currency)
	if err != nil {
		errs = append(errs, "amount: "+err.Error())
	}
	colCur, err := ParseCurrency(get(FieldCurrency), m.Currency)
	if err != nil {
		errs = append(errs, "currency: "+err.Error())
	}
	switch {
	case colCur != "" && cellCur != "" && colCur != cellCur:
		errs = append(errs, fmt.Sprintf("currency: the currency column says %s but the amount is in %s", colCur, cellCur))
	case colCur != "":
		t.Currency = colCur
	case cellCur != "":
		t.Currency = cellCur
	default:
		t.Currency = m.Currency
	}
	if len(errs) > 0 {
		return Txn{}, "", errors.New(strings.Join(errs, "; "))
	}
	switch m.ChargeSign {
	case SignNegative:
		amt = -amt
	case SignAbsolute:
		amt = amt.abs()
	}
	if kind == txnRefund {
		amt = -amt.abs()
	}
	if amt == 0 {
		return Txn{}, "zero amount", nil
	}
	t.Amount = amt
	t.Person = strings.TrimFunc(get(FieldPerson), isSpace)
	t.Email = strings.TrimFunc(get(FieldEmail), isSpace)
	t.Department = strings.TrimFunc(get(FieldDepartment), isSpace)
	t.Memo = get(FieldMemo)
	t.Category = strings.TrimFunc(get(FieldCategory), isSpace)
	t.MCC = strings.TrimFunc(get(FieldMCC), isSpace)
	return t, "", nil
}

// fallback1252 reads a field that is not valid UTF-8 as Windows-1252, the usual encoding of spreadsheet exports
// that are not UTF-8. Valid UTF-8 is returned unchanged.
func fallback1252(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// decodeInput picks the encoding: a byte-order mark first, then (auto) UTF-16 without a BOM by its zero bytes,
// else UTF-8.
func decodeInput(br *bufio.Reader, enc string) (io.Reader, string, error) {
	b, err := br.Peek(512)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", err
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br, "utf-8-bom", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), EncodingUTF16LE, nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), EncodingUTF16BE, nil
	}
	switch enc {
	case EncodingUTF16LE:
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), enc, nil
	case EncodingUTF16BE:
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), enc, nil
	case EncodingWindows1252:
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), enc, nil
	case EncodingUTF8:
		return br, enc, nil
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	if half := len(b) / 2; half >= 2 {
		switch {
		case odd*10 >= half*4 && even*10 < half:
			return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()), EncodingUTF16LE, nil
		case even*10 >= half*4 && odd*10 < half:
			return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()), EncodingUTF16BE, nil
		}
	}
	return br, EncodingUTF8, nil
}

// sniffDelimiter picks the delimiter that splits the first lines most consistently. An Excel "sep=;" first line
// names it outright (and is then skipped).
func sniffDelimiter(head []byte, configured rune) (rune, bool) {
	first, _, _ := bytes.Cut(head, []byte{'\n'})
	first = bytes.TrimRight(first, "\r")
	sep := false
	if len(first) == 5 && bytes.HasPrefix(bytes.ToLower(first), []byte("sep=")) {
		sep = true
		if configured == 0 {
			return rune(first[4]), true
		}
	}
	if configured != 0 {
		return configured, sep
	}
	candidates := []rune{',', ';', '\t', '|'}
	var lines [][]byte
	for _, l := range bytes.Split(head, []byte{'\n'}) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
		}
		if len(lines) == 10 {
			break
		}
	}
	best, bestLines, bestMode := ',', 0, 0
	for _, c := range candidates {
		freq := map[int]int{}
		for _, l := range lines {
			if n := countOutsideQuotes(l, byte(c)); n > 0 {
				freq[n]++
			}
		}
		mode, count := 0, 0
		keys := make([]int, 0, len(freq))
		for k := range freq {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, k := range keys {
			if freq[k] >= count {
				mode, count = k, freq[k]
			}
		}
		if count > bestLines || (count == bestLines && mode > bestMode) {
			best, bestLines, bestMode = c, count, mode
		}
	}
	return best, false
}

func countOutsideQuotes(l []byte, c byte) int {
	n, quoted := 0, false
	for _, b := range l {
		switch {
		case b == '"':
			quoted = !quoted
		case b == c && !quoted:
			n++
		}
	}
	return n
}

// limitReader fails once more than limit bytes have been read in total (limit < 0: no limit). Parse moves the
// limit forward before each record, which bounds the size of one record.
type limitReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.limit >= 0 && l.n >= l.limit {
		return 0, errRecordTooLarge
	}
	if l.limit >= 0 && int64(len(p)) > l.limit-l.n {
		p = p[:l.limit-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// crToLF turns lone carriage returns into line feeds.
type crToLF struct{ r io.Reader }

func (c *crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
