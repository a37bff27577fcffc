package outfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestNewFileGetsPrivateModeWhateverTheUmask(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := Write(p, 0, text("{}")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, p).Perm(); got != 0o600 {
		t.Errorf("new file mode %o, want 600", got)
	}
	q := filepath.Join(dir, "shared.json")
	if err := Write(q, 0o640, text("{}")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, q).Perm(); got != 0o640 {
		t.Errorf("configured mode: got %o, want 640", got)
	}
}

func TestExistingFileKeepsItsMode(t *testing.T) {
	for _, m := range []fs.FileMode{0o600, 0o640, 0o604} {
		p := filepath.Join(t.TempDir(), "r.json")
		if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
		if err := Write(p, 0o644, text("new")); err != nil {
			t.Fatal(err)
		}
		if got := mode(t, p).Perm(); got != m {
			t.Errorf("existing %o became %o", m, got)
		}
		if got := read(t, p); got != "new" {
			t.Errorf("content %q", got)
		}
	}
}

func TestFailedFillLeavesExistingFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, 0, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := read(t, p); got != "old" {
		t.Errorf("content %q after a failed write", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestSymlinkWritesItsTargetAndStaysALink(t *testing.T) {
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(shared, "report.json")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink("shared/report.json", link); err != nil { // relative, resolved against the link's folder
		t.Fatal(err)
	}
	chain := filepath.Join(dir, "chain.json")
	if err := os.Symlink(link, chain); err != nil {
		t.Fatal(err)
	}
	if err := Write(chain, 0, text("new")); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, chain} {
		if mode(t, l)&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink", l)
		}
	}
	if got := read(t, target); got != "new" {
		t.Errorf("target holds %q", got)
	}
	if got := mode(t, target).Perm(); got != 0o640 {
		t.Errorf("target mode %o, want 640 kept", got)
	}
}

func TestDanglingSymlinkCreatesItsTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "new.json")
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, 0, text("x")); err != nil {
		t.Fatal(err)
	}
	if mode(t, link)&fs.ModeSymlink == 0 {
		t.Error("link replaced")
	}
	if got := mode(t, target).Perm(); got != 0o600 {
		t.Errorf("target mode %o", got)
	}
}

func TestSymlinkLoopIsAnError(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := Write(a, 0, text("x")); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("err = %v", err)
	}
	if err := CheckWritable(a); err == nil {
		t.Error("CheckWritable accepted a link loop")
	}
}

func TestDirectoryIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, 0, text("x")); err == nil {
		t.Error("wrote over a directory")
	}
	if err := CheckWritable(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("CheckWritable: %v", err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "new.json")); err != nil {
		t.Error(err)
	}
	if err := CheckWritable(filepath.Join(dir, "missing", "new.json")); err == nil {
		t.Error("accepted a missing folder")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("probe left behind: %v", entries)
	}
}
