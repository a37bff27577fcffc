package main

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemoInfoLogs: at info level a scan logs one line per provider and one summary, and the summary's counts are
// the report's.
func TestDemoInfoLogs(t *testing.T) {
	data, r := scanDemo(t, filepath.Join(t.TempDir(), "demo.json"), "--log-format", "json")
	var rep struct {
		Coverage []struct{ Provider string } `json:"coverage"`
		Summary  struct {
			Findings int `json:"findings"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	finished := map[string]bool{}
	var summary map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stderr))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if line["level"] != "info" {
			continue
		}
		switch line["message"] {
		case "provider finished":
			finished[line["provider"].(string)] = true
			if _, ok := line["took_ms"]; !ok {
				t.Errorf("provider line without took_ms: %s", sc.Text())
			}
		case "scan finished":
			summary = line
		default:
			t.Errorf("info line that is neither a provider's nor the summary: %s", sc.Text())
		}
	}
	if len(finished) != len(rep.Coverage) {
		t.Errorf("%d provider lines for %d providers", len(finished), len(rep.Coverage))
	}
	if summary == nil {
		t.Fatal("no scan summary line")
	}
	if got := int(summary["findings"].(float64)); got != rep.Summary.Findings {
		t.Errorf("log says %d findings, report says %d", got, rep.Summary.Findings)
	}
}

// durationField names a logged number that is a duration; its name must carry the unit.
var (
	durCall       = regexp.MustCompile(`\.Dur\(`)
	durationField = regexp.MustCompile(`\.(?:Int|Int64|Float64|Uint64)\("([a-z_]*(?:took|duration|timeout|delay|elapsed|lookback|retry_after|wait)[a-z_]*)"`)
)

// TestLogDurationsCarryUnits walks every Go source file: durations are logged as integers whose field name ends in
// _ms, never with zerolog's Dur (whose unit is a process-wide setting and does not show in the field name).
func TestLogDurationsCarryUnits(t *testing.T) {
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if durCall.MatchString(line) {
				t.Errorf("%s:%d: log durations as Int64(\"…_ms\", d.Milliseconds()), not Dur: %s", path, i+1, strings.TrimSpace(line))
			}
			for _, m := range durationField.FindAllStringSubmatch(line, -1) {
				if !strings.HasSuffix(m[1], "_ms") {
					t.Errorf("%s:%d: duration field %q has no unit (name it %s_ms)", path, i+1, m[1], m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
