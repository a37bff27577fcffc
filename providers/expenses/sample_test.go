package expenses

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/go-viper/mapstructure/v2"
	"go.yaml.in/yaml/v3"
)

// TestSampleDecodesStrictly decodes sample.yaml the way the config loader does (mapstructure, unknown keys are
// errors) and validates each document.
func TestSampleDecodesStrictly(t *testing.T) {
	data, err := os.ReadFile("sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		delete(raw, "type") // the loader's common keys
		delete(raw, "name")
		c := NewConfig()
		md, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{Result: c, ErrorUnused: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := md.Decode(raw); err != nil {
			t.Fatalf("document %d: %v", n, err)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("document %d: %v", n, err)
		}
	}
	if n != 2 {
		t.Fatalf("%d documents", n)
	}
}
