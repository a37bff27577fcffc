package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"sort"
)

// BuiltinDigest identifies the embedded catalogue data: "sha256:" and the first 12 hex digits of a hash over every
// embedded file's name and content, in name order. Two binaries with the same digest resolve vendors alike.
func BuiltinDigest() (string, error) {
	names, err := fs.Glob(builtinFS, "*")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := builtinFS.ReadFile(n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(b)
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:12], nil
}
