package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"reflect"
	"sync"
	"testing"
)

// The prepared form must decode to exactly what parsing the YAML gives: entries, the keys each sets, and the
// position of every value (issues and `catalog show` cite them).
func TestPreparedIsFresh(t *testing.T) {
	digest, err := yamlDigest(builtinFS)
	if err != nil {
		t.Fatal(err)
	}
	cats, base, ok := decodePrepared(preparedData, digest)
	if !ok {
		t.Fatalf("%s does not match the embedded YAML: run `go generate ./rules/catalog/` (scripts/build.py does)", PreparedFile)
	}
	want := parseBuiltinYAML()
	if len(want.issues) > 0 {
		t.Fatalf("the YAML has issues: %v", want.issues[0])
	}
	if !reflect.DeepEqual(cats, want.cats) {
		t.Error("taxonomy differs from the YAML")
	}
	if len(base) != len(want.base) {
		t.Fatalf("%d entries, the YAML has %d", len(base), len(want.base))
	}
	for i := range base {
		if !reflect.DeepEqual(base[i], want.base[i]) {
			t.Fatalf("entry %d (%s) differs from the YAML:\n got %+v\nwant %+v", i, want.base[i].ID, *base[i], *want.base[i])
		}
	}
}

// A cold start takes the prepared form when it is fresh (the speed-up is the point of it).
func TestBuiltinUsesPreparedForm(t *testing.T) {
	if !parseBuiltin().prepared {
		t.Errorf("the built-in catalogue was parsed from the YAML although %s is fresh", PreparedFile)
	}
}

func TestPreparedIsDeterministic(t *testing.T) {
	a, err := PreparedBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	b, err := PreparedBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two runs give different bytes: the committed file would change without a catalogue change")
	}
}

func encodeRaw(t *testing.T, p prepared) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := gob.NewEncoder(zw).Encode(&p); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return b.Bytes()
}

func TestPreparedRejects(t *testing.T) {
	digest, err := yamlDigest(builtinFS)
	if err != nil {
		t.Fatal(err)
	}
	good := prepared{Version: preparedVersion, Digest: digest, Files: []string{"rules/catalog/x.yaml"},
		Entries: []preparedEntry{{Entry: Entry{ID: "x", Line: 3}, FileIdx: 0, Set: []string{"id"},
			Pos: []preparedPos{{Key: "id", Files: []int{0}, Lines: []int{3}}}}}}
	if _, base, ok := decodePrepared(encodeRaw(t, good), digest); !ok || len(base) != 1 || base[0].File != "rules/catalog/x.yaml" ||
		!base[0].set["id"] || base[0].at("id", 0).Line != 3 {
		t.Fatalf("a well-formed file is not decoded as written: ok=%v %+v", ok, base)
	}
	for name, mutate := range map[string]func(p *prepared){
		"other YAML":          func(p *prepared) { p.Digest++ },
		"other version":       func(p *prepared) { p.Version++ },
		"entry file index":    func(p *prepared) { p.Entries[0].FileIdx = 1 },
		"negative file index": func(p *prepared) { p.Entries[0].FileIdx = -1 },
		"position file index": func(p *prepared) { p.Entries[0].Pos[0].Files = []int{7} },
		"positions unpaired":  func(p *prepared) { p.Entries[0].Pos[0].Lines = []int{3, 4} },
	} {
		p := good
		p.Entries = []preparedEntry{good.Entries[0]}
		p.Entries[0].Pos = []preparedPos{{Key: "id", Files: []int{0}, Lines: []int{3}}}
		mutate(&p)
		if _, _, ok := decodePrepared(encodeRaw(t, p), digest); ok {
			t.Errorf("%s: decoded", name)
		}
	}
	for name, data := range map[string][]byte{"empty": nil, "not gzip": []byte("vendors: []"),
		"truncated": preparedData[:len(preparedData)/2]} {
		if _, _, ok := decodePrepared(data, digest); ok {
			t.Errorf("%s: decoded", name)
		}
	}
}

// A process whose prepared form does not match (or is damaged) parses the YAML and gets the same catalogue.
func TestBuiltinWithoutPreparedForm(t *testing.T) {
	want, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	saved := preparedData
	defer func() {
		preparedData = saved
		parsedOnce, builtinOnce = sync.Once{}, sync.Once{}
		parsed, builtinCat, builtinErr = nil, nil, nil
	}()
	preparedData = []byte("damaged")
	parsedOnce, builtinOnce = sync.Once{}, sync.Once{}
	got, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Entries, want.Entries) || !reflect.DeepEqual(got.Categories, want.Categories) ||
		!reflect.DeepEqual(got.MicrosoftApps, want.MicrosoftApps) {
		t.Error("the YAML path gives another catalogue than the prepared form")
	}
}

// FuzzDecodePrepared: any bytes either decode to entries that each name a file, or are refused; never a panic.
func FuzzDecodePrepared(f *testing.F) {
	digest, err := yamlDigest(builtinFS)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(preparedData[:2048])
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, base, ok := decodePrepared(data, digest)
		if !ok {
			return
		}
		for _, r := range base {
			if r.File == "" {
				t.Fatalf("entry %q decoded without a file", r.ID)
			}
		}
	})
}
