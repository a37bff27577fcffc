package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// The prepared form must decode to exactly what parsing the YAML gives: entries, the keys each sets, and the
// position of every value (issues and `catalog show` cite them).
func TestPreparedIsFresh(t *testing.T) {
	cats, bare, ok := decodePrepared(preparedData, mustDigest(t))
	if !ok {
		t.Fatalf("%s does not match the embedded YAML: run `go generate ./rules/catalog/` (scripts/build.py does)", PreparedFile)
	}
	base, ok := bare[0].lazy.decode()
	if !ok {
		t.Fatalf("the positions in %s do not decode", PreparedFile)
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
		if bare[i].pos != nil {
			t.Fatalf("entry %d (%s): positions decoded before they were asked for", i, bare[i].ID)
		}
	}
}

// Builtin leaves the positions encoded (only validation reads them); the first position asked for decodes them,
// without changing the shared entries, and each is the one the YAML gives.
func TestPositionsDecodedOnDemand(t *testing.T) {
	_, base, ok := decodePrepared(preparedData, mustDigest(t))
	if !ok {
		t.Fatal("the prepared form does not decode")
	}
	lazy := base[0].lazy
	if _, issues := assemble(nil, []layer{base}, nil, nil, skipValidation); len(issues) > 0 || lazy.full != nil {
		t.Fatalf("assembling the built-in catalogue decoded positions or failed: %v", issues)
	}
	want := parseBuiltinYAML().base
	for i, w := range want {
		for key, ps := range w.pos {
			for j := range ps {
				if got := base[i].at(key, j); got != w.at(key, j) {
					t.Fatalf("%s %s[%d] at %v, the YAML says %v", w.ID, key, j, got, w.at(key, j))
				}
			}
		}
	}
	if base[0].pos != nil {
		t.Error("asking for a position changed the shared entry")
	}
	// Damaged positions: the YAML gives them.
	damaged := &lazyPositions{data: []byte("x"), files: lazy.files, base: base}
	if got := damaged.entry(3); got == nil || !reflect.DeepEqual(got.pos, want[3].pos) {
		t.Error("damaged positions: not taken from the YAML")
	}
}

// Validating an organisation's file decodes no built-in position unless an issue cites one: a value the file
// claims from a built-in vendor is reported with that vendor's line for it.
func TestValidationDecodesPositionsForIssuesOnly(t *testing.T) {
	cats, base, ok := decodePrepared(preparedData, mustDigest(t))
	if !ok {
		t.Fatal("the prepared form does not decode")
	}
	org, iss := parseVendorFile("org.yaml", []byte("vendors:\n  - id: acme-leads\n    name: Acme Leads\n    category: data\n    domains: [acme-leads.example]\n"))
	if len(iss) > 0 {
		t.Fatal(iss)
	}
	if _, issues := assemble(cats, []layer{base, org}, nil, nil, validateLater); len(issues) > 0 || base[0].lazy.full != nil {
		t.Fatalf("a clean organisation file decoded the built-in positions or has issues: %v", issues)
	}
	want := parseBuiltinYAML().base
	var hub *rawEntry
	for _, w := range want {
		if w.ID == "hubspot" {
			hub = w
		}
	}
	if hub == nil || len(hub.Domains) == 0 {
		t.Fatal("no built-in hubspot with domains")
	}
	clash, _ := parseVendorFile("org.yaml", []byte("vendors:\n  - id: acme-leads\n    name: Acme Leads\n    category: data\n    domains: ["+hub.Domains[0]+"]\n"))
	_, issues := assemble(cats, []layer{base, clash}, nil, nil, validateLater)
	p := hub.at("domains", 0)
	cite := fmt.Sprintf("(%s:%d)", p.File, p.Line)
	if len(issues) != 1 || issues[0].File != "org.yaml" || !strings.Contains(issues[0].Msg, cite) {
		t.Errorf("issues %v, want one on org.yaml citing hubspot's domain at %s", issues, cite)
	}
}

// Merging shares the lists of an entry no later layer overrides (copying 5,000 built-in entries was a fifth of a
// cold start); an override is a copy, so the entry it overrides, shared by every catalogue, stays as parsed.
func TestMergeSharesOnlyWhatItDoesNotOverride(t *testing.T) {
	e := &rawEntry{Entry: Entry{ID: "acme", Domains: []string{"acme.example"}}, set: map[string]bool{"id": true}}
	alone, _ := mergeLayers([]layer{{e}})
	if &alone[0].Domains[0] != &e.Domains[0] {
		t.Error("an entry nothing overrides was copied")
	}
	override := &rawEntry{Entry: Entry{ID: "acme", Domains: []string{"other.example"}}, set: map[string]bool{"domains": true}}
	merged, _ := mergeLayers([]layer{{e}, {override}})
	merged[0].Domains[0] = "changed.example"
	merged[0].set["x"] = true
	if e.Domains[0] != "acme.example" || e.set["domains"] || e.set["x"] || override.Domains[0] != "other.example" {
		t.Error("an override changed the entry it overrides, or shares its lists")
	}
}

func mustDigest(t testing.TB) uint64 {
	t.Helper()
	d, err := yamlDigest(builtinFS)
	if err != nil {
		t.Fatal(err)
	}
	return d
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

func encodePositions(t *testing.T, pos [][]preparedPos) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(pos); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPreparedRejects(t *testing.T) {
	digest := mustDigest(t)
	goodPos := [][]preparedPos{{{Key: "id", Files: []int{0}, Lines: []int{3}}}}
	good := prepared{Version: preparedVersion, Digest: digest, Files: []string{"rules/catalog/x.yaml"},
		Entries:   []preparedEntry{{Entry: Entry{ID: "x", Line: 3}, FileIdx: 0, Set: []string{"id"}}},
		Positions: encodePositions(t, goodPos)}
	_, base, ok := decodePrepared(encodeRaw(t, good), digest)
	if !ok || len(base) != 1 || base[0].File != "rules/catalog/x.yaml" || !base[0].set["id"] {
		t.Fatalf("a well-formed file is not decoded as written: ok=%v %+v", ok, base)
	}
	if base[0].at("id", 0).Line != 3 {
		t.Fatalf("well-formed positions are not decoded as written: %v", base[0].at("id", 0))
	}
	for name, mutate := range map[string]func(p *prepared){
		"other YAML":          func(p *prepared) { p.Digest++ },
		"other version":       func(p *prepared) { p.Version++ },
		"entry file index":    func(p *prepared) { p.Entries[0].FileIdx = 1 },
		"negative file index": func(p *prepared) { p.Entries[0].FileIdx = -1 },
	} {
		p := good
		p.Entries = []preparedEntry{good.Entries[0]}
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
	for name, data := range map[string][]byte{
		"position file index": encodePositions(t, [][]preparedPos{{{Key: "id", Files: []int{7}, Lines: []int{3}}}}),
		"negative position":   encodePositions(t, [][]preparedPos{{{Key: "id", Files: []int{-1}, Lines: []int{3}}}}),
		"positions unpaired":  encodePositions(t, [][]preparedPos{{{Key: "id", Files: []int{0}, Lines: []int{3, 4}}}}),
		"other entry count":   encodePositions(t, [][]preparedPos{goodPos[0], goodPos[0]}),
		"not gob":             []byte("positions"),
	} {
		if _, ok := (&lazyPositions{data: data, files: good.Files, base: base}).decode(); ok {
			t.Errorf("%s: positions decoded", name)
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

// FuzzDecodePrepared: any bytes either decode to entries (and positions) that each name a file, or are refused;
// never a panic.
func FuzzDecodePrepared(f *testing.F) {
	digest := mustDigest(f)
	f.Add(preparedData[:2048])
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, base, ok := decodePrepared(data, digest)
		if !ok || len(base) == 0 {
			return
		}
		for _, r := range base {
			if r.File == "" {
				t.Fatalf("entry %q decoded without a file", r.ID)
			}
		}
		withPos, ok := base[0].lazy.decode()
		if !ok {
			return
		}
		for _, r := range withPos {
			for k, ps := range r.pos {
				for _, p := range ps {
					if p.File == "" {
						t.Fatalf("entry %q: a position of %s decoded without a file", r.ID, k)
					}
				}
			}
		}
	})
}
