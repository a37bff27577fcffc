// Package inventory is a provider that reads records from JSON or NDJSON files in the scanner.Record shape, so
// that any export or other tool can feed shadowscan.
package inventory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Shape:       scanner.Shape{Replays: true},
		Type:        "inventory",
		Description: "records from JSON or NDJSON files in shadowscan's Record shape",
		NewConfig:   func() *Config { return &Config{OnError: "skip"} },
		Shards:      true, // files by name
		New: func(c *Config, d scanner.Deps) (scanner.Provider, error) {
			return &Provider{cfg: *c, deps: d}, nil
		},
		Permissions: []scanner.Permission{{Name: "none: reads local files",
			Why: "records exported by another tool or an earlier run, in shadowscan's Record shape"}},
	})
}

// Config is the inventory provider's settings.
type Config struct {
	// Files are JSON (an array of records, or {"records": [...]}) or NDJSON (one record per line) files.
	Files []string `mapstructure:"files"`
	// OnError is skip (report the bad record, keep going; coverage partial) or fail (stop at the first bad record).
	OnError string `mapstructure:"on_error"`
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if len(c.Files) == 0 {
		return errors.New("files: at least one file is required")
	}
	if c.OnError != "skip" && c.OnError != "fail" {
		return fmt.Errorf("on_error: %q is not skip or fail", c.OnError)
	}
	return nil
}

// ResolvePaths makes file paths relative to the config file.
func (c *Config) ResolvePaths(resolve func(string) string) {
	for i, f := range c.Files {
		c.Files[i] = resolve(f)
	}
}

// Provider reads record files.
type Provider struct {
	cfg  Config
	deps scanner.Deps
}

// Collect emits every valid record of every file.
func (p *Provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	for _, f := range p.cfg.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !p.deps.Shard.Owns("file:" + filepath.Base(f)) {
			continue // another shard reads this file
		}
		n, err := p.readFile(ctx, f, emit)
		p.deps.Logger.Debug().Str("file", f).Int("records", n).Msg("read inventory file")
		if err != nil {
			return err
		}
	}
	return nil
}

// BadRecord is a record that could not be read, with its position.
type BadRecord struct {
	File string
	Line int
	Err  error
}

func (e *BadRecord) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

func (p *Provider) bad(file string, line int, err error) error {
	be := &BadRecord{File: file, Line: line, Err: err}
	if p.cfg.OnError == "fail" {
		return be
	}
	p.deps.Diagnostics.Error("read", fmt.Sprintf("%s:%d", file, line), err)
	return nil
}

func (p *Provider) readFile(ctx context.Context, file string, emit func(scanner.Record) error) (int, error) {
	fh, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 64<<10)
	first, err := firstByte(br)
	if err == io.EOF {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	if first == '[' || (first == '{' && !looksNDJSON(br)) {
		return p.readJSON(ctx, file, br, emit)
	}
	return p.readNDJSON(ctx, file, br, emit)
}

// firstByte peeks at the first non-space byte, after an optional UTF-8 BOM.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if err != nil {
			return 0, err
		}
		c := b[i-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
	}
}

// MaxRecordBytes is the size limit of one record (one NDJSON line, or one element of a JSON list). A longer one
// is one bad record: reported with its file:line, and skipped under on_error: skip.
const MaxRecordBytes = 1 << 20

// looksNDJSON tells a {"records": [...]} document from NDJSON whose first line is an object: an NDJSON line
// closes its object before the first newline. When the first line is longer than what is buffered, its first key
// decides: a record starts with one of the record's own fields, a document does not.
func looksNDJSON(br *bufio.Reader) bool {
	buf, _ := br.Peek(br.Buffered())
	buf = bytes.TrimLeft(buf, " \t\r\n")
	line, _, complete := bytes.Cut(buf, []byte("\n"))
	if !complete && br.Buffered() >= br.Size() {
		dec := json.NewDecoder(bytes.NewReader(buf))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return false
		}
		key, err := dec.Token()
		k, _ := key.(string)
		return err == nil && recordFields[k]
	}
	var v map[string]json.RawMessage
	if json.Unmarshal(line, &v) != nil {
		return false
	}
	_, isDoc := v["records"]
	return !isDoc
}

// recordFields are the JSON keys of scanner.Record.
var recordFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(scanner.Record{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			m[name] = true
		}
	}
	return m
}()

func decodeRecord(data []byte) (scanner.Record, error) {
	var r scanner.Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("not a record: %v", err)
	}
	if dec.More() {
		return r, errors.New("trailing data after the record")
	}
	if strings.TrimSpace(r.Kind) == "" {
		return r, errors.New("record has no kind")
	}
	if strings.TrimSpace(r.ID) == "" {
		return r, errors.New("record has no id")
	}
	for i, h := range r.Hints {
		if h.Type == "" || strings.TrimSpace(h.Value) == "" {
			return r, fmt.Errorf("hints[%d]: type and value are required", i)
		}
	}
	return r, nil
}

func (p *Provider) readNDJSON(ctx context.Context, file string, br *bufio.Reader, emit func(scanner.Record) error) (int, error) {
	n, line := 0, 0
	var buf []byte
	for {
		text, tooLong, err := readLine(br, buf[:0])
		buf = text
		if err != nil && !(err == io.EOF && len(text) > 0) {
			if err == io.EOF {
				return n, nil
			}
			return n, fmt.Errorf("%s:%d: %w", file, line+1, err)
		}
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		if tooLong {
			if ferr := p.bad(file, line, fmt.Errorf("record longer than the %d KiB limit", MaxRecordBytes>>10)); ferr != nil {
				return n, ferr
			}
			continue
		}
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		r, err := decodeRecord(text)
		if err != nil {
			if ferr := p.bad(file, line, err); ferr != nil {
				return n, ferr
			}
			continue
		}
		if err := emit(r); err != nil {
			return n, err
		}
		n++
	}
}

// readLine reads one line into buf (without its newline). A line longer than MaxRecordBytes is read to its end
// and dropped: tooLong is true and no more than the limit is ever held.
func readLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxRecordBytes+2 { // the limit, plus room for "\r\n"
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		if err == io.EOF && (len(buf) > 0 || tooLong) {
			return buf, tooLong, nil
		}
		return buf, tooLong, err
	}
}

// readJSON streams an array of records (or {"records": [...]}) without loading the whole file.
func (p *Provider) readJSON(ctx context.Context, file string, br *bufio.Reader, emit func(scanner.Record) error) (int, error) {
	lc := &lineCounter{r: br}
	dec := json.NewDecoder(lc)
	lineAt := func(off int64) int { return lc.lineAt(off) }
	errLine := func(err error) int {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return lc.lineAt(se.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return lc.lineAt(lc.read)
		}
		return lc.lineAt(dec.InputOffset())
	}
	tok, err := dec.Token()
	if err != nil {
		return 0, fmt.Errorf("%s:%d: %v", file, errLine(err), err)
	}
	if tok == json.Delim('{') {
		found := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return 0, fmt.Errorf("%s:%d: %v", file, lineAt(dec.InputOffset()), err)
			}
			if key == "records" {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, fmt.Errorf("%s:%d: %v", file, lineAt(dec.InputOffset()), err)
			}
		}
		if !found {
			return 0, fmt.Errorf("%s: object has no \"records\" list", file)
		}
		if tok, err = dec.Token(); err != nil {
			return 0, fmt.Errorf("%s:%d: %v", file, lineAt(dec.InputOffset()), err)
		}
	}
	if tok != json.Delim('[') {
		return 0, fmt.Errorf("%s:%d: expected a list of records", file, lineAt(dec.InputOffset()))
	}
	n := 0
	for dec.More() {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// A syntax error leaves the decoder unusable: report it and stop reading this file.
			return n, fmt.Errorf("%s:%d: %v", file, errLine(err), err)
		}
		start := lineAt(dec.InputOffset() - int64(len(raw)))
		if len(raw) > MaxRecordBytes {
			if ferr := p.bad(file, start, fmt.Errorf("record longer than the %d KiB limit", MaxRecordBytes>>10)); ferr != nil {
				return n, ferr
			}
			continue
		}
		r, err := decodeRecord(raw)
		if err != nil {
			if ferr := p.bad(file, start, err); ferr != nil {
				return n, ferr
			}
			continue
		}
		if err := emit(r); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// lineCounter remembers where newlines fall so that decoder offsets can be turned into line numbers.
type lineCounter struct {
	r        io.Reader
	read     int64
	newlines []int64 // offsets of '\n'
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			c.newlines = append(c.newlines, c.read+int64(i))
		}
	}
	c.read += int64(n)
	return n, err
}

func (c *lineCounter) lineAt(off int64) int {
	// Lines before off = newlines at offsets below off.
	return 1 + sort.Search(len(c.newlines), func(i int) bool { return c.newlines[i] >= off })
}
