package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/gob"
	"fmt"
	"hash/crc64"
	"io/fs"
	"sort"
	"sync"
)

// The built-in catalogue is also embedded in a prepared form: the parsed YAML (entries, the keys each one sets and
// the position of every value) gob-encoded and gzipped. Decoding it costs a fraction of parsing the YAML, which is
// most of what a cold `shadowscan check` pays. The positions, a quarter of the form, are only read by validation
// (organisation files merged over the built-in catalogue): they stay encoded until it first asks for one. The YAML
// stays the source of truth: the prepared form records a checksum of the YAML it was made from, and a process whose
// YAML does not match it (an edit without `go generate ./rules/catalog/`) parses the YAML as before.
// TestPreparedIsFresh fails until the form is rebuilt.
//
//go:generate go run ./internal/prepare
//go:embed builtin.gob.gz
var preparedData []byte

// PreparedFile is the name of the prepared form in this package's folder.
const PreparedFile = "builtin.gob.gz"

// preparedVersion changes whenever the encoded types change, so an old file is never decoded into new types.
const preparedVersion = 2

type prepared struct {
	Version int
	Digest  uint64 // yamlDigest of the embedded YAML it was made from
	Files   []string
	Cats    []Category
	Entries []preparedEntry
	// Positions is the gob encoding of one []preparedPos per entry, in the order of Entries.
	Positions []byte
}

type preparedEntry struct {
	Entry       // File cleared: FileIdx names it
	FileIdx int // index into prepared.Files
	Set     []string
}

type preparedPos struct {
	Key   string
	Files []int // index into prepared.Files, one per position
	Lines []int
}

// lazyPositions decodes the positions of a prepared form's entries on the first question (rawEntry.at): only
// validation asks, and only about an organisation's entries or a built-in value one of them also claims.
type lazyPositions struct {
	data  []byte   // the gob encoding of prepared.Positions
	files []string // prepared.Files
	base  layer
	once  sync.Once
	full  layer // base with positions, by index
}

// entry returns entry i of base with its positions (from the YAML if the prepared ones are damaged).
func (l *lazyPositions) entry(i int) *rawEntry {
	l.once.Do(func() {
		var ok bool
		if l.full, ok = l.decode(); !ok {
			l.full = parseBuiltinYAML().base
		}
	})
	if i < 0 || i >= len(l.full) {
		return nil
	}
	return l.full[i]
}

// yamlDigest is a checksum of the embedded YAML files, names and contents, in name order.
func yamlDigest(fsys fs.FS) (uint64, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(data))
		h.Write(data)
	}
	return h.Sum64(), nil
}

// PreparedBuiltin parses the embedded YAML (never the prepared form) and returns its prepared form, for
// `go generate`. It fails if the YAML has any issue: a broken catalogue is not prepared.
func PreparedBuiltin() ([]byte, error) {
	p := parseBuiltinYAML()
	if len(p.issues) > 0 {
		sortIssues(p.issues)
		return nil, &ValidationError{Issues: p.issues}
	}
	digest, err := yamlDigest(builtinFS)
	if err != nil {
		return nil, err
	}
	return encodePrepared(p, digest)
}

func encodePrepared(p *parsedBuiltin, digest uint64) ([]byte, error) {
	out := prepared{Version: preparedVersion, Digest: digest, Cats: p.cats}
	files := map[string]int{}
	fileIdx := func(f string) int {
		i, ok := files[f]
		if !ok {
			i = len(out.Files)
			files[f] = i
			out.Files = append(out.Files, f)
		}
		return i
	}
	positions := make([][]preparedPos, 0, len(p.base))
	for _, r := range p.base {
		pe := preparedEntry{Entry: r.Entry, FileIdx: fileIdx(r.File)}
		pe.File = ""
		for k, on := range r.set {
			if on {
				pe.Set = append(pe.Set, k)
			}
		}
		sort.Strings(pe.Set)
		var pos []preparedPos
		for k, ps := range r.pos {
			pp := preparedPos{Key: k}
			for _, x := range ps {
				pp.Files = append(pp.Files, fileIdx(x.File))
				pp.Lines = append(pp.Lines, x.Line)
			}
			pos = append(pos, pp)
		}
		sort.Slice(pos, func(i, j int) bool { return pos[i].Key < pos[j].Key })
		out.Entries = append(out.Entries, pe)
		positions = append(positions, pos)
	}
	var pb bytes.Buffer
	if err := gob.NewEncoder(&pb).Encode(positions); err != nil {
		return nil, err
	}
	out.Positions = pb.Bytes()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if err := gob.NewEncoder(zw).Encode(&out); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodePrepared returns the taxonomy and entries of data if it is a prepared form of the YAML whose checksum
// is digest; ok is false for any other file (stale, older version, damaged). The entries' positions stay encoded
// until rawEntry.at asks for one (lazyPositions).
func decodePrepared(data []byte, digest uint64) (cats []Category, base layer, ok bool) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, false
	}
	var p prepared
	if err := gob.NewDecoder(zr).Decode(&p); err != nil || p.Version != preparedVersion || p.Digest != digest {
		return nil, nil, false
	}
	base = make(layer, 0, len(p.Entries))
	lazy := &lazyPositions{data: p.Positions, files: p.Files}
	for i, pe := range p.Entries {
		if pe.FileIdx < 0 || pe.FileIdx >= len(p.Files) {
			return nil, nil, false
		}
		r := &rawEntry{Entry: pe.Entry, set: make(map[string]bool, len(pe.Set)), lazy: lazy, lazyIdx: i}
		r.File = p.Files[pe.FileIdx]
		for _, k := range pe.Set {
			r.set[k] = true
		}
		base = append(base, r)
	}
	lazy.base = base
	return p.Cats, base, true
}

// decode returns copies of base that carry the position of every value; ok is false if the positions do not
// decode or do not fit base.
func (l *lazyPositions) decode() (layer, bool) {
	var all [][]preparedPos
	if err := gob.NewDecoder(bytes.NewReader(l.data)).Decode(&all); err != nil || len(all) != len(l.base) {
		return nil, false
	}
	out := make(layer, len(l.base))
	for i, r := range l.base {
		c := *r
		c.lazy, c.lazyIdx = nil, 0
		c.pos = make(map[string][]srcPos, len(all[i]))
		for _, kp := range all[i] {
			if len(kp.Files) != len(kp.Lines) {
				return nil, false
			}
			ps := make([]srcPos, len(kp.Lines))
			for j, line := range kp.Lines {
				f := kp.Files[j]
				if f < 0 || f >= len(l.files) {
					return nil, false
				}
				ps[j] = srcPos{File: l.files[f], Line: line}
			}
			c.pos[kp.Key] = ps
		}
		out[i] = &c
	}
	return out, true
}
