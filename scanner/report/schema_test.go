package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSARIFValidatesAgainstTheOfficialSchema checks the sarif writer's output, fixture and hostile fixture,
// against the OASIS SARIF 2.1.0 JSON schema (testdata/schema, see its README).
func TestSARIFValidatesAgainstTheOfficialSchema(t *testing.T) {
	f, err := os.Open("testdata/schema/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{"fixture": render(t, "sarif", Options{}), "hostile": renderHostile(t, "sarif")} {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output does not validate: %v", name, err)
		}
	}
	// The validator is not a rubber stamp: a result without a message must fail.
	var broken map[string]any
	_ = json.Unmarshal(render(t, "sarif", Options{}), &broken)
	delete(broken["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any), "message")
	b, _ := json.Marshal(broken)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if sch.Validate(inst) == nil {
		t.Error("a result without a message validates: the schema check is not working")
	}
}

// ocsfSchema is the part of the OCSF schema (testdata/schema/ocsf-1.2.0, copied from ocsf/ocsf-schema v1.2.0) that
// defines a Detection Finding: its attributes with their requirement and enums, along the extends chain.
type ocsfSchema struct {
	version string
	attrs   map[string]ocsfAttr // the class's attributes
	objects map[string]map[string]ocsfAttr
	dict    map[string]ocsfAttr
	classID int
}

type ocsfAttr struct {
	Requirement string                     `json:"requirement"`
	Enum        map[string]json.RawMessage `json:"enum"`
}

func loadOCSF(t *testing.T) *ocsfSchema {
	t.Helper()
	dir := "testdata/schema/ocsf-1.2.0"
	read := func(path string) map[string]any {
		b, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	attrsOf := func(path string, into map[string]ocsfAttr) {
		m := read(path)
		for k, v := range m["attributes"].(map[string]any) {
			if k == "$include" {
				for _, inc := range v.([]any) {
					if p := inc.(string); strings.HasPrefix(p, "includes/") {
						m2 := read(p)
						for k2, v2 := range m2["attributes"].(map[string]any) {
							into[k2] = merge(into[k2], v2)
						}
					}
				}
				continue
			}
			into[k] = merge(into[k], v)
		}
	}
	s := &ocsfSchema{attrs: map[string]ocsfAttr{}, objects: map[string]map[string]ocsfAttr{}, dict: map[string]ocsfAttr{}}
	s.version = read("version.json")["version"].(string)
	for _, p := range []string{"events/base_event.json", "events/findings/finding.json", "events/findings/detection_finding.json"} {
		attrsOf(p, s.attrs)
	}
	for _, o := range []string{"metadata", "product", "finding_info", "remediation", "analytic", "resource_details"} {
		s.objects[o] = map[string]ocsfAttr{}
		attrsOf("objects/"+o+".json", s.objects[o])
	}
	for k, v := range read("dictionary.json")["attributes"].(map[string]any) {
		s.dict[k] = merge(ocsfAttr{}, v)
	}
	cat := read("categories.json")["attributes"].(map[string]any)["findings"].(map[string]any)["uid"].(float64)
	s.classID = int(cat)*1000 + int(read("events/findings/detection_finding.json")["uid"].(float64))
	return s
}

// merge lays a later definition of an attribute over an earlier one (a subclass refines its parent).
func merge(base ocsfAttr, v any) ocsfAttr {
	b, _ := json.Marshal(v)
	var a ocsfAttr
	_ = json.Unmarshal(b, &a)
	if a.Requirement != "" {
		base.Requirement = a.Requirement
	}
	if len(a.Enum) > 0 {
		base.Enum = a.Enum
	}
	return base
}

// check reports required attributes missing from obj and enum values not in the schema.
func (s *ocsfSchema) check(where string, obj map[string]any, attrs map[string]ocsfAttr) []string {
	var errs []string
	for name, a := range attrs {
		v, ok := obj[name]
		if a.Requirement == "required" && !ok {
			errs = append(errs, fmt.Sprintf("%s: required attribute %s missing", where, name))
		}
		if !ok {
			continue
		}
		enum := a.Enum
		if len(enum) == 0 {
			enum = s.dict[name].Enum
		}
		if len(enum) > 0 && strings.HasSuffix(name, "_id") {
			n, isNum := v.(float64)
			if _, known := enum[strconv.Itoa(int(n))]; !isNum || !known {
				errs = append(errs, fmt.Sprintf("%s: %s = %v is not in the schema's enum", where, name, v))
			}
		}
	}
	for name := range obj {
		if _, ok := attrs[name]; !ok {
			if _, inDict := s.dict[name]; !inDict {
				errs = append(errs, fmt.Sprintf("%s: attribute %s is not in the OCSF dictionary", where, name))
			}
		}
	}
	return errs
}

func TestOCSFValidatesAgainstTheSchema(t *testing.T) {
	s := loadOCSF(t)
	if s.version != OCSFVersion {
		t.Fatalf("testdata schema is OCSF %s, the writer pins %s", s.version, OCSFVersion)
	}
	for name, out := range map[string][]byte{"fixture": render(t, "ocsf", Options{}), "hostile": renderHostile(t, "ocsf")} {
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		n := 0
		for sc.Scan() {
			n++
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("%s line %d: %v", name, n, err)
			}
			where := fmt.Sprintf("%s line %d", name, n)
			errs := s.check(where, ev, s.attrs)
			md := ev["metadata"].(map[string]any)
			errs = append(errs, s.check(where+" metadata", md, s.objects["metadata"])...)
			errs = append(errs, s.check(where+" metadata.product", md["product"].(map[string]any), s.objects["product"])...)
			fi := ev["finding_info"].(map[string]any)
			errs = append(errs, s.check(where+" finding_info", fi, s.objects["finding_info"])...)
			errs = append(errs, s.check(where+" finding_info.analytic", fi["analytic"].(map[string]any), s.objects["analytic"])...)
			if r, ok := ev["remediation"].(map[string]any); ok {
				errs = append(errs, s.check(where+" remediation", r, s.objects["remediation"])...)
			}
			if md["version"] != s.version {
				errs = append(errs, where+": metadata.version is not the pinned OCSF version")
			}
			cls, act := int(ev["class_uid"].(float64)), int(ev["activity_id"].(float64))
			if cls != s.classID || int(ev["type_uid"].(float64)) != cls*100+act || int(ev["category_uid"].(float64)) != s.classID/1000 {
				errs = append(errs, fmt.Sprintf("%s: class_uid %d / type_uid %v / category_uid %v inconsistent", where, cls, ev["type_uid"], ev["category_uid"]))
			}
			for _, e := range errs {
				t.Error(e)
			}
		}
		if want := len(fixture().Findings) + len(fixture().Resolved); n != want {
			t.Errorf("%s: %d events, want one per finding and resolved finding (%d)", name, n, want)
		}
	}
}

// renderHostile writes the fixture with terminal escapes, bidi overrides, HTML and formula triggers in every string.
func renderHostile(t *testing.T, format string) []byte {
	t.Helper()
	rep := fixture()
	poison(reflect.ValueOf(rep), "=\x1b]0;pwned\x07\u202e<img src=x onerror=alert(1)>\"'")
	w, err := New(format, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(t.Context(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The HTML report is one self-contained file: no script, no external resource; hostile strings stay text.
func TestHTMLSelfContainedAndInert(t *testing.T) {
	for name, out := range map[string]string{"fixture": string(render(t, "html", Options{})), "hostile": string(renderHostile(t, "html"))} {
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "<img", "src=\"http", "href=\"http", "@import", "url(", "<link"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s: HTML contains %q", name, bad)
			}
		}
		if !strings.Contains(out, "<svg") || !strings.Contains(out, "@media print") {
			t.Errorf("%s: charts or print stylesheet missing", name)
		}
	}
	if !strings.Contains(string(render(t, "html", Options{})), "<polyline") {
		t.Error("a report with a trend draws no trend chart")
	}
	rep := fixture()
	rep.Trend = nil
	w, _ := New("html", Options{})
	var buf bytes.Buffer
	_ = w.Write(t.Context(), &buf, rep)
	if strings.Contains(buf.String(), "<polyline") {
		t.Error("a report without state draws a trend")
	}
}

// Inventory CSV: one row per vendor, every cell formula-neutralised.
func TestInventoryCSVRowsAndCells(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(renderHostile(t, "inventory-csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(fixture().Inventory) {
		t.Fatalf("%d rows, want a header and one per vendor", len(rows))
	}
	for _, row := range rows[1:] {
		for c, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: %q would run as a formula", rows[0][c], cell)
			}
		}
	}
}
