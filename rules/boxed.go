package rules

import (
	"sync"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// boxedVals holds CEL strings for catalogue values that recur on every record of a vendor (vendor.id,
// vendor.name), so that reading them does not allocate: a Go string in a ref.Val is a heap object each time.
var boxedVals = struct {
	sync.RWMutex
	m map[string]ref.Val
}{m: map[string]ref.Val{}}

// maxBoxed bounds boxedVals (the catalogue has a few thousand vendors); past it, values are boxed each time.
const maxBoxed = 1 << 15

// boxed returns s as a CEL string, reusing one value per distinct s.
func boxed(s string) ref.Val {
	boxedVals.RLock()
	v, ok := boxedVals.m[s]
	boxedVals.RUnlock()
	if ok {
		return v
	}
	v = types.String(s)
	boxedVals.Lock()
	if len(boxedVals.m) < maxBoxed {
		boxedVals.m[s] = v
	}
	boxedVals.Unlock()
	return v
}
