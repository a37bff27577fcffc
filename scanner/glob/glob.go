// Package glob is the one glob matcher of the tree: approved-tools scope ceilings (rules/policy) and IAM action
// patterns in AWS trust policies both match with it.
//
// The syntax is path.Match's, applied to the whole string:
//
//   - any run of characters except '/'
//     ?      any one character except '/'
//     [a-z]  a character class; [^a-z] its complement; \x escapes x
//
// '/' separates segments: "drive*" matches "drive.file" but not "drive/x". Matching is case-sensitive; callers
// that compare case-insensitive names lower-case both sides. It runs in O(len(pattern)·len(name)) time, so hostile
// patterns cannot stall a scan.
package glob

import (
	"fmt"
	"path"
)

// Match reports whether name matches pattern. A malformed pattern matches nothing (Validate reports it).
func Match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// Validate returns an error when pattern is malformed (an unterminated class, a trailing backslash).
func Validate(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("%q is not a valid glob (* ? [a-z], '/' separates segments)", pattern)
	}
	return nil
}
