package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/web"
)

// demoPeople lists every person's email address and name in the demo's source files, except the owners named in
// the approved-tools file (published contacts).
func demoPeople(t *testing.T) []string {
	t.Helper()
	owners := map[string]bool{}
	approved, err := os.ReadFile("../../configs/demo/approved.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`owner:\s*(\S+)`).FindAllStringSubmatch(string(approved), -1) {
		owners[strings.ToLower(m[1])] = true
	}
	email := regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	nameColumns := map[string]bool{"name.fullName": true, "Cardholder": true}
	seen := map[string]bool{}
	var people []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) < 4 || owners[strings.ToLower(s)] || seen[strings.ToLower(s)] {
			return
		}
		seen[strings.ToLower(s)] = true
		people = append(people, s)
	}
	files, _ := filepath.Glob("../../configs/demo/*.csv")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, row := range rows {
			for j, cell := range row {
				for _, e := range email.FindAllString(cell, -1) {
					add(e)
				}
				if i > 0 && j < len(rows[0]) && nameColumns[rows[0][j]] {
					add(cell)
				}
			}
		}
	}
	for _, f := range []string{"../../configs/demo/inventory.ndjson"} {
		b, _ := os.ReadFile(f)
		for _, e := range email.FindAllString(string(b), -1) {
			add(e)
		}
	}
	if len(people) < 10 {
		t.Fatalf("found only %d people in the demo data: %v", len(people), people)
	}
	return people
}

// TestServeWithoutTokenShowsNoPerson is issue 13's defect 2: every page and API answer of the demo, asked without
// the token, holds no user's or payer's email address or name.
func TestServeWithoutTokenShowsNoPerson(t *testing.T) {
	const demo = "../../configs/demo.yaml"
	people := demoPeople(t)
	repPath := filepath.Join(t.TempDir(), "demo.json")
	if r := run(t, nil, "scan", "--config", demo, "--format", "json", "--output", repPath); r.code != 1 {
		t.Fatalf("demo scan exit %d: %s", r.code, r.stderr)
	}
	var rep scanner.Report
	b, _ := os.ReadFile(repPath)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}

	p := checkPipeline(t, demo)
	const token = "0123456789abcdef-demo-token"
	srv := httptest.NewServer(web.New(web.Options{NewChecker: p.newChecker, ReportPath: repPath, Token: token}))
	defer srv.Close()

	get := func(path string, authed bool) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if authed {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	paths := []string{"/", "/healthz", "/api/report/summary", "/static/app.js", "/static/app.css"}
	page := get("/", false)
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		paths = append(paths, m[1])
	}
	queries := map[string]bool{}
	for _, it := range rep.Inventory {
		queries[it.Vendor.ID], queries[it.Vendor.Name] = true, true
	}
	for _, u := range rep.Unidentified {
		queries[u.Value], queries[u.Name] = true, true
	}
	for _, f := range rep.Findings {
		if f.Vendor != nil {
			queries[f.Vendor.Name] = true
		}
	}
	for q := range queries {
		if q == "" {
			continue
		}
		paths = append(paths, "/api/check?q="+url.QueryEscape(q), "/api/catalog/search?q="+url.QueryEscape(q))
	}
	leaks := 0
	for _, path := range paths {
		body := strings.ToLower(get(path, false))
		for _, person := range people {
			if strings.Contains(body, strings.ToLower(person)) {
				leaks++
				if leaks <= 10 {
					t.Errorf("GET %s without the token shows %q", path, person)
				}
			}
		}
	}
	// The same answers with the token do name people: the test data is meaningful.
	authed := get("/api/report/summary", true) + get("/api/check?q="+url.QueryEscape("LeadMagnet Pro"), true)
	found := false
	for _, person := range people {
		found = found || strings.Contains(strings.ToLower(authed), strings.ToLower(person))
	}
	if !found {
		t.Error("with the token, no person is shown either: the walk proves nothing")
	}
	t.Logf("%d pages and API answers walked, %d people checked", len(paths), len(people))
}

// checkPipeline is what check and serve build from a config, for tests.
func checkPipeline(t *testing.T, config string) *pipeline {
	t.Helper()
	var out, errb bytes.Buffer
	ap := newApp(&out, &errb)
	ap.environ, ap.logLevel = nil, "warn"
	if err := ap.buildLogger(); err != nil {
		t.Fatal(err)
	}
	p, err := ap.loadCheckPipeline(config)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
