// Package outfile writes shadowscan's output files (reports, request texts) safely, whatever the path names:
//
//   - a regular file, or a path that does not exist yet, is written atomically: a temporary file in the same folder,
//     synced, then renamed over the path, so a crash mid-write never leaves half a file. An existing file keeps its
//     permission bits (and, where allowed, its owner); a new one gets the mode asked for (DefaultMode unless the
//     configuration says otherwise), whatever the umask.
//   - a symbolic link is followed: its target is written by the same rules and the link stays a link.
//   - anything else that exists (a character device such as a terminal, a FIFO) is written through, never replaced.
//   - a directory or a socket is an error.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultMode is the permission of a new output file: reports and request texts hold people's email addresses.
const DefaultMode fs.FileMode = 0o600

// maxLinks bounds how many symbolic links are followed (the kernel's own limit is 40).
const maxLinks = 40

// Write writes what fill produces to path by the rules in the package comment. mode is the permission of a file
// that does not exist yet; 0 means DefaultMode. When fill fails nothing at path changes (for a regular file).
func Write(path string, mode fs.FileMode, fill func(io.Writer) error) error {
	if mode == 0 {
		mode = DefaultMode
	}
	target, fi, err := Resolve(path)
	if err != nil {
		return err
	}
	switch {
	case fi == nil || fi.Mode().IsRegular():
		return writeAtomic(target, fi, mode, fill)
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case fi.Mode()&fs.ModeSocket != 0:
		return fmt.Errorf("%s is a socket", path)
	}
	return writeThrough(target, fill)
}

// Resolve follows symbolic links from path to what it finally names. It returns that path and its FileInfo, or a
// nil FileInfo when nothing exists there yet (a new file, or a dangling link's target, which is then created).
func Resolve(path string) (string, fs.FileInfo, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil, nil
		}
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, fi, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", nil, fmt.Errorf("%s: too many levels of symbolic links", path)
}

func writeAtomic(path string, existing fs.FileInfo, mode fs.FileMode, fill func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if existing != nil {
		mode = existing.Mode().Perm()
		keepOwner(tmp, existing)
	}
	// Chmod rather than a mode at creation: the umask must not widen or narrow what was asked for.
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeThrough writes into an existing non-regular file (device, FIFO) without replacing it. Opening a FIFO waits
// for a reader, as a shell redirection does.
func writeThrough(path string, fill func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CheckWritable fails early when path cannot be written, before any work starts. It creates and removes a probe
// file next to a regular (or new) file; a device or FIFO is only checked to exist and not be a directory, since
// opening a FIFO would wait for a reader.
func CheckWritable(path string) error {
	target, fi, err := Resolve(path)
	if err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	switch {
	case fi != nil && fi.IsDir():
		return fmt.Errorf("output %s is a directory", path)
	case fi != nil && fi.Mode()&fs.ModeSocket != 0:
		return fmt.Errorf("output %s is a socket", path)
	case fi != nil && !fi.Mode().IsRegular():
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".probe-*")
	if err != nil {
		return fmt.Errorf("output %s is not writable: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
