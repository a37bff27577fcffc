//go:build unix

package outfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO (or a device) is written through, never replaced by a regular file.
func TestFIFOIsWrittenThrough(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := readFIFO(p)
	if err := CheckWritable(p); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, 0, text("report")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "report" {
		t.Errorf("reader got %q", s)
	}
	if m := mode(t, p); m&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO became %v", m)
	}
}

// A symlink to a FIFO writes through to the FIFO.
func TestSymlinkToFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "stdout")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	got := readFIFO(p)
	if err := Write(link, 0, text("x")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "x" {
		t.Errorf("reader got %q", s)
	}
	if m := mode(t, p); m&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO became %v", m)
	}
}

// readFIFO reads the FIFO at p to its end in a goroutine; opening blocks until a writer opens it.
func readFIFO(p string) <-chan string {
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	return got
}
