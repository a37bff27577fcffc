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
)

// The built-in catalogue is also embedded in a prepared form: the parsed YAML (entries, the keys each one sets and
// the position of every value) gob-encoded and gzipped. Decoding it costs a fraction of parsing the YAML, which is
// most of what a cold `shadowscan check` pays. The YAML stays the source of truth: the prepared form records a
// checksum of the YAML it was made from, and a process whose YAML does not match it (an edit without
// `go generate ./rules/catalog/`) parses the YAML as before. TestPreparedIsFresh fails until the form is rebuilt.
//
//go:generate go run ./internal/prepare
//go:embed builtin.gob.gz
var preparedData []byte

// PreparedFile is the name of the prepared form in this package's folder.
const PreparedFile = "builtin.gob.gz"

// preparedVersion changes whenever the encoded types change, so an old file is never decoded into new types.
const preparedVersion = 1

type prepared struct {
	Version int
	Digest  uint64 // yamlDigest of the embedded YAML it was made from
	Files   []string
	Cats    []Category
	Entries []preparedEntry
}

type preparedEntry struct {
	Entry       // File cleared: FileIdx names it
	FileIdx int // index into prepared.Files
	Set     []string
	Pos     []preparedPos // sorted by key
}

type preparedPos struct {
	Key   string
	Files []int // index into prepared.Files, one per position
	Lines []int
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
	for _, r := range p.base {
		pe := preparedEntry{Entry: r.Entry, FileIdx: fileIdx(r.File)}
		pe.File = ""
		for k, on := range r.set {
			if on {
				pe.Set = append(pe.Set, k)
			}
		}
		sort.Strings(pe.Set)
		for k, ps := range r.pos {
			pp := preparedPos{Key: k}
			for _, x := range ps {
				pp.Files = append(pp.Files, fileIdx(x.File))
				pp.Lines = append(pp.Lines, x.Line)
			}
			pe.Pos = append(pe.Pos, pp)
		}
		sort.Slice(pe.Pos, func(i, j int) bool { return pe.Pos[i].Key < pe.Pos[j].Key })
		out.Entries = append(out.Entries, pe)
	}
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
// is digest; ok is false for any other file (stale, older version, damaged).
func decodePrepared(data []byte, digest uint64) (cats []Category, base layer, ok bool) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, false
	}
	var p prepared
	if err := gob.NewDecoder(zr).Decode(&p); err != nil || p.Version != preparedVersion || p.Digest != digest {
		return nil, nil, false
	}
	file := func(i int) (string, bool) {
		if i < 0 || i >= len(p.Files) {
			return "", false
		}
		return p.Files[i], true
	}
	base = make(layer, 0, len(p.Entries))
	for _, pe := range p.Entries {
		r := &rawEntry{Entry: pe.Entry, set: make(map[string]bool, len(pe.Set)), pos: make(map[string][]srcPos, len(pe.Pos))}
		if r.File, ok = file(pe.FileIdx); !ok {
			return nil, nil, false
		}
		for _, k := range pe.Set {
			r.set[k] = true
		}
		for _, pp := range pe.Pos {
			if len(pp.Files) != len(pp.Lines) {
				return nil, nil, false
			}
			ps := make([]srcPos, len(pp.Lines))
			for i, line := range pp.Lines {
				if ps[i].File, ok = file(pp.Files[i]); !ok {
					return nil, nil, false
				}
				ps[i].Line = line
			}
			r.pos[pp.Key] = ps
		}
		base = append(base, r)
	}
	return p.Cats, base, true
}
