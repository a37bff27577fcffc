package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/shadowscan/shadowscan/configs"
)

// The deployment files are tested as far as this machine allows: every shadowscan command line in them (Dockerfile,
// Kubernetes, GitHub Actions, systemd) must name commands and flags that exist, the files they copy must exist, and
// the configuration they ship must load.

const repoRoot = "../.."

// checkArgv walks the cobra tree along argv (shadowscan's arguments, without the program name) and reports
// unknown subcommands and flags.
func checkArgv(t *testing.T, where string, argv []string) {
	t.Helper()
	root := newApp(io.Discard, io.Discard).rootCmd()
	cmd := root
	i := 0
	for ; i < len(argv) && !strings.HasPrefix(argv[i], "-"); i++ {
		var next *cobra.Command
		for _, c := range cmd.Commands() {
			if c.Name() == argv[i] || slicesContains(c.Aliases, argv[i]) {
				next = c
			}
		}
		if next == nil {
			break // a positional argument
		}
		cmd = next
	}
	if cmd == root {
		t.Errorf("%s: %q names no shadowscan command", where, strings.Join(argv, " "))
		return
	}
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f = cmd.Flag(name)
		if !strings.HasPrefix(a, "--") && len(name) == 1 {
			f = cmd.Flags().ShorthandLookup(name)
			if f == nil {
				f = cmd.InheritedFlags().ShorthandLookup(name)
			}
		}
		if f == nil {
			t.Errorf("%s: `shadowscan %s` has no flag %s", where, cmd.CommandPath()[len("shadowscan "):], a)
			continue
		}
		if !hasValue && f.Value.Type() != "bool" {
			i++
		}
	}
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func readRepo(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDockerfile(t *testing.T) {
	src := string(readRepo(t, "Dockerfile"))
	// Join continuation lines, drop comments.
	src = strings.ReplaceAll(src, "\\\n", " ")
	var stages []string
	var finalUser, entrypoint string
	var cmdArgv []string
	copies := map[string]bool{}
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			stages = append(stages, rest)
			finalUser = ""
		case "USER":
			finalUser = rest
		case "COPY":
			fields := strings.Fields(rest)
			var from bool
			var args []string
			for _, f := range fields {
				switch {
				case strings.HasPrefix(f, "--from="):
					from = true
				case strings.HasPrefix(f, "--"):
				default:
					args = append(args, f)
				}
			}
			if len(args) < 2 {
				t.Errorf("Dockerfile: COPY %s: no source and destination", rest)
				continue
			}
			if from {
				copies[args[len(args)-1]] = true
				continue
			}
			for _, s := range args[:len(args)-1] {
				if _, err := os.Stat(filepath.Join(repoRoot, s)); err != nil {
					t.Errorf("Dockerfile: COPY source %s does not exist in the repository", s)
				}
			}
		case "RUN":
			for _, m := range regexp.MustCompile(`-X main\.(\w+)=`).FindAllStringSubmatch(rest, -1) {
				if m[1] != "version" && m[1] != "commit" && m[1] != "buildDate" {
					t.Errorf("Dockerfile: -X main.%s sets no variable of cmd/shadowscan", m[1])
				}
			}
			if strings.Contains(rest, "go build") {
				if !strings.Contains(rest, "CGO_ENABLED=0") {
					t.Error("Dockerfile: go build without CGO_ENABLED=0 is not a static binary")
				}
				pkg := regexp.MustCompile(`\./cmd/\w+`).FindString(rest)
				if _, err := os.Stat(filepath.Join(repoRoot, pkg, "main.go")); pkg == "" || err != nil {
					t.Errorf("Dockerfile: go build target %q is not the main package", pkg)
				}
			}
			for _, m := range regexp.MustCompile(`cp (?:-r )?(configs/\S+)`).FindAllStringSubmatch(rest, -1) {
				if _, err := os.Stat(filepath.Join(repoRoot, m[1])); err != nil {
					t.Errorf("Dockerfile: copies %s, which does not exist", m[1])
				}
			}
		case "ENTRYPOINT":
			var ep []string
			if err := json.Unmarshal([]byte(rest), &ep); err != nil || len(ep) != 1 {
				t.Errorf("Dockerfile: ENTRYPOINT %s: want the exec form with the binary only", rest)
				continue
			}
			entrypoint = ep[0]
		case "CMD":
			if err := json.Unmarshal([]byte(rest), &cmdArgv); err != nil {
				t.Errorf("Dockerfile: CMD %s: want the exec form: %v", rest, err)
			}
		}
	}
	if len(stages) < 2 {
		t.Errorf("Dockerfile: %d stages; want a build stage and a runtime stage", len(stages))
	}
	if last := stages[len(stages)-1]; !strings.Contains(last, "static") && !strings.HasPrefix(last, "scratch") {
		t.Errorf("Dockerfile: runtime image %s is not a static (distroless/scratch) image", last)
	}
	if finalUser == "" || strings.HasPrefix(finalUser, "0") || strings.HasPrefix(finalUser, "root") {
		t.Errorf("Dockerfile: runtime user %q; want a non-root user", finalUser)
	}
	if !copies[entrypoint] {
		t.Errorf("Dockerfile: ENTRYPOINT %s is not a file copied into the runtime image", entrypoint)
	}
	if !copies["/demo"] {
		t.Error("Dockerfile: the demo is not copied to /demo")
	}
	checkArgv(t, "Dockerfile CMD", cmdArgv)
	if strings.Join(cmdArgv, " ") != "scan --config /demo/demo.yaml" {
		t.Errorf("Dockerfile: CMD %v; want the demo scan", cmdArgv)
	}
	// The demo config the image runs must load with the layout the image gives it (demo.yaml beside demo/).
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "configs/demo"), filepath.Join(dir, "demo"))
	if err := os.WriteFile(filepath.Join(dir, "demo.yaml"), readRepo(t, "configs/demo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := configs.LoadWithEnv(filepath.Join(dir, "demo.yaml"), nil); err != nil {
		t.Errorf("the image's /demo/demo.yaml does not load: %v", err)
	}
	for _, ign := range []string{".git", "shadowscan"} {
		if !bytes.Contains(readRepo(t, ".dockerignore"), []byte(ign+"\n")) {
			t.Errorf(".dockerignore lacks %s", ign)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// yamlDocs decodes every document of a YAML file.
func yamlDocs(t *testing.T, rel string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readRepo(t, rel)))
	var out []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if doc != nil {
			out = append(out, doc)
		}
	}
}

// containers finds every container spec under v.
func containers(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "containers" || k == "initContainers" {
				if l, ok := c.([]any); ok {
					for _, e := range l {
						if m, ok := e.(map[string]any); ok {
							out = append(out, m)
						}
					}
				}
				continue
			}
			out = append(out, containers(c)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, containers(e)...)
		}
	}
	return out
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

var reK8sVar = regexp.MustCompile(`\$\(([A-Z_][A-Z0-9_]*)\)`)

func TestKubernetesManifests(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot, "deploy/kubernetes/*.yaml"))
	if len(files) < 4 {
		t.Fatalf("deploy/kubernetes has %d manifests", len(files))
	}
	kinds := map[string]int{}
	found := 0
	for _, f := range files {
		rel, _ := filepath.Rel(repoRoot, f)
		raw := string(readRepo(t, rel))
		for _, bad := range []string{"credentials_file:", "client_secret", "aws_secret_access_key", "private_key"} {
			if strings.Contains(raw, bad) {
				t.Errorf("%s: mentions %s; credentials must be keyless (workload identity)", rel, bad)
			}
		}
		for _, doc := range yamlDocs(t, rel) {
			kind, _ := doc["kind"].(string)
			kinds[kind]++
			if kind == "Kustomization" {
				for _, r := range strList(doc["resources"]) {
					if _, err := os.Stat(filepath.Join(repoRoot, "deploy/kubernetes", r)); err != nil {
						t.Errorf("%s: resource %s does not exist", rel, r)
					}
				}
			}
			if kind == "ConfigMap" {
				checkConfigMap(t, rel, doc)
			}
			for _, c := range containers(doc) {
				found++
				env := map[string]bool{}
				envList, _ := c["env"].([]any)
				for _, e := range envList {
					if m, ok := e.(map[string]any); ok {
						name, _ := m["name"].(string)
						env[name] = true
					}
				}
				argv := strList(c["args"])
				for _, a := range argv {
					for _, m := range reK8sVar.FindAllStringSubmatch(a, -1) {
						if !env[m[1]] {
							t.Errorf("%s: $(%s) is not declared in the container's env, so Kubernetes does not expand it", rel, m[1])
						}
					}
				}
				checkArgv(t, rel, argv)
			}
		}
	}
	if kinds["CronJob"] < 2 || kinds["ServiceAccount"] != 1 || kinds["PersistentVolumeClaim"] < 1 || found < 3 {
		t.Errorf("kinds %v, %d containers", kinds, found)
	}
	sa := string(readRepo(t, "deploy/kubernetes/serviceaccount.yaml"))
	for _, ann := range []string{"eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id"} {
		if !strings.Contains(sa, ann) {
			t.Errorf("serviceaccount.yaml lacks the %s workload identity annotation", ann)
		}
	}
	sharded := string(readRepo(t, "deploy/kubernetes/sharded-job.yaml"))
	if !strings.Contains(sharded, "completionMode: Indexed") {
		t.Error("sharded-job.yaml is not an Indexed Job")
	}
}

// checkConfigMap writes the ConfigMap's files to a folder and loads the config the way the pod does.
func checkConfigMap(t *testing.T, rel string, doc map[string]any) {
	t.Helper()
	dir := t.TempDir()
	data, _ := doc["data"].(map[string]any)
	for name, v := range data {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v.(string)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := configs.LoadWithEnv(filepath.Join(dir, "shadowscan.yaml"), nil); err != nil {
		t.Errorf("%s: the shipped config does not load: %v", rel, err)
	}
}

// shellInvocations returns the arguments of every `shadowscan …` command in a shell script (continuations joined,
// quotes removed, stopped at ||, && , ; and |).
func shellInvocations(script string) [][]string {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		fields := strings.Fields(line)
		for i, f := range fields {
			if (f == "shadowscan" || strings.HasSuffix(f, "/shadowscan")) && (i == 0 || !strings.HasSuffix(fields[i-1], "/cmd")) {
				var argv []string
				for _, a := range fields[i+1:] {
					if a == "||" || a == "&&" || a == ";" || a == "|" || a == ">" || a == "2>&1" {
						break
					}
					argv = append(argv, strings.Trim(a, `"'`))
				}
				if len(argv) > 0 && !strings.Contains(argv[0], "/") && !strings.Contains(argv[0], "@") {
					out = append(out, argv)
				}
			}
		}
	}
	return out
}

func TestGitHubActionsWorkflow(t *testing.T) {
	docs := yamlDocs(t, "deploy/github-actions/shadowscan.yml")
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	wf := docs[0]
	on, _ := wf["on"].(map[string]any)
	if on["schedule"] == nil {
		t.Error("workflow has no schedule")
	}
	perms, _ := wf["permissions"].(map[string]any)
	if perms["security-events"] != "write" || perms["id-token"] != "write" {
		t.Errorf("permissions %v; want security-events: write (SARIF) and id-token: write (keyless)", perms)
	}
	var uses []string
	n := 0
	for _, job := range wf["jobs"].(map[string]any) {
		for _, s := range job.(map[string]any)["steps"].([]any) {
			step := s.(map[string]any)
			if u, ok := step["uses"].(string); ok {
				uses = append(uses, u)
			}
			if run, ok := step["run"].(string); ok {
				for _, argv := range shellInvocations(run) {
					n++
					checkArgv(t, "github-actions", argv)
				}
			}
		}
	}
	all := strings.Join(uses, " ")
	for _, want := range []string{"github/codeql-action/upload-sarif", "actions/upload-artifact"} {
		if !strings.Contains(all, want) {
			t.Errorf("workflow does not use %s", want)
		}
	}
	if n < 3 {
		t.Errorf("%d shadowscan invocations found", n)
	}
}

func TestSystemdUnits(t *testing.T) {
	svc := string(readRepo(t, "deploy/systemd/shadowscan.service"))
	timer := string(readRepo(t, "deploy/systemd/shadowscan.timer"))
	var exec []string
	for _, line := range strings.Split(svc, "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			exec = strings.Fields(v)
		}
	}
	if len(exec) < 2 || !strings.HasSuffix(exec[0], "/shadowscan") {
		t.Fatalf("ExecStart %v", exec)
	}
	checkArgv(t, "shadowscan.service", exec[1:])
	for _, want := range []string{"Type=oneshot", "StateDirectory=shadowscan", "SuccessExitStatus=1 3", "DynamicUser=yes"} {
		if !strings.Contains(svc, want) {
			t.Errorf("shadowscan.service lacks %s", want)
		}
	}
	for _, want := range []string{"OnCalendar=", "Persistent=true", "Unit=shadowscan.service"} {
		if !strings.Contains(timer, want) {
			t.Errorf("shadowscan.timer lacks %s", want)
		}
	}
}

// The checker itself: a made-up flag and a made-up command are caught.
func TestCheckArgvCatchesUnknown(t *testing.T) {
	ft := &testing.T{}
	checkArgv(ft, "x", []string{"scan", "--no-such-flag"})
	if !ft.Failed() {
		t.Error("unknown flag not caught")
	}
	ft = &testing.T{}
	checkArgv(ft, "x", []string{"frobnicate"})
	if !ft.Failed() {
		t.Error("unknown command not caught")
	}
}
