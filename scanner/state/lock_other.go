//go:build !unix

package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockDir creates dir/lock exclusively. Without flock a crashed scan leaves the file behind; the message says
// how to remove it.
func lockDir(dir string) (func() error, error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("state %s: %w; if no scan is running, delete %s", dir, ErrLocked, path)
		}
		return nil, fmt.Errorf("state %s: locking: %w", dir, err)
	}
	_ = f.Close()
	return func() error { return os.Remove(path) }, nil
}
