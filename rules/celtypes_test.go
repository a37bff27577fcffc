package rules

import (
	"reflect"
	"strings"
	"testing"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/shadowscan/shadowscan/scanner"
)

// The views' shared CEL methods (celObj), seen from rules: equality per view type, has(), fields reached through dyn.
func TestViewsInExpressions(t *testing.T) {
	hubspot := scanner.Vendor{ID: "hubspot", Name: "HubSpot"}
	rec := &scanner.Record{Kind: "oauth_grant", ID: "r1", Principal: &scanner.Principal{Email: "a@x.com"},
		Hints: []scanner.Hint{{Type: scanner.HintName, Value: "HubSpot"}, {Type: scanner.HintName, Value: "HubSpot"},
			{Type: scanner.HintDomain, Value: "hubspot.com"}}}
	full := &Case{Record: rec, Resolution: scanner.Resolution{Vendor: &hubspot}, Approval: scanner.Approval{Status: scanner.ApprovalApproved}}
	inv := &Case{Resolution: scanner.Resolution{Vendor: &hubspot}, Usage: &scanner.InventoryItem{Vendor: hubspot, UserCount: 3}}
	for _, tc := range []struct {
		stage string
		c     *Case
		expr  string
		want  bool
	}{
		{"record", full, `record == record && vendor == vendor && approval == approval && org == org`, true},
		{"record", full, `record.principal == record.principal && record.amount == record.amount`, true},
		{"record", full, `record.hints[0] == record.hints[1]`, true}, // equal hints, two views
		{"record", full, `record.hints[0] == record.hints[2]`, false},
		{"record", full, `has(record.principal) && !has(record.amount) && has(record.hints) && !has(approval.expires)`, true},
		{"record", full, `dyn(record).kind == "oauth_grant" && dyn(record.principal).email == "a@x.com"`, true},
		{"record", full, `dyn(record) == dyn(vendor)`, false},
		{"inventory", inv, `usage == usage && usage.user_count == 3`, true},
	} {
		if got := evalStage(t, tc.stage, tc.expr, tc.c); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// Every view answers the CEL value methods from its own definition, and names its type in errors.
func TestViewMethods(t *testing.T) {
	var rv recordView
	rv.reset(&scanner.Record{Kind: "dns_record", Hints: []scanner.Hint{{Type: scanner.HintDomain, Value: "x.com"}}},
		newOrgView(OrgInfo{}, types.DefaultTypeAdapter), types.DefaultTypeAdapter)
	var vv vendorView
	vv.resetKnown(scanner.Vendor{ID: "v"}, types.DefaultTypeAdapter)
	var av approvalView
	av.reset(scanner.Approval{}, types.DefaultTypeAdapter)
	var uv usageView
	uv.reset(nil, &scanner.Unidentified{Key: "k"}, types.DefaultTypeAdapter)
	hints := rv.hintList().(interface{ Get(ref.Val) ref.Val })
	all := []view{&rv, &rv.principal, &rv.amount, hints.Get(types.Int(0)).(view), &vv, &vv.hint, &av, rv.org, &uv}
	for _, v := range all {
		d, self := v.object()
		name := d.name
		if v.Type() != d.typ || v.Value() != self || self != any(v) {
			t.Errorf("%s: Type/Value do not answer the view itself", name)
		}
		if v.Equal(v) != types.True || v.Equal(types.String("x")) != types.False {
			t.Errorf("%s: Equal", name)
		}
		if got := v.ConvertToType(d.typ); got != v {
			t.Errorf("%s: ConvertToType(own type) = %v", name, got)
		}
		if got := v.ConvertToType(types.TypeType); got != d.typ {
			t.Errorf("%s: ConvertToType(type) = %v", name, got)
		}
		if got := v.ConvertToType(types.StringType); !types.IsError(got) || !strings.Contains(got.(*types.Err).Error(), name) {
			t.Errorf("%s: ConvertToType(string) = %v, want an error naming the type", name, got)
		}
		if n, err := v.ConvertToNative(reflect.TypeOf(v)); err != nil || n != any(v) {
			t.Errorf("%s: ConvertToNative(own type) = %v, %v", name, n, err)
		}
		if _, err := v.ConvertToNative(reflect.TypeOf("")); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: ConvertToNative(string) = %v, want an error naming the type", name, err)
		}
		idx := v.(interface {
			Get(ref.Val) ref.Val
			IsSet(ref.Val) ref.Val
		})
		for _, k := range []ref.Val{types.String("no_such_field"), types.Int(1)} {
			if !types.IsError(idx.Get(k)) || !types.IsError(idx.IsSet(k)) {
				t.Errorf("%s: Get/IsSet(%v) is not an error", name, k)
			}
		}
		f := d.names[0] // every type's first field is always set
		if got := idx.Get(types.String(f)); types.IsError(got) {
			t.Errorf("%s: Get(%s) = %v", name, f, got)
		}
		if got := idx.IsSet(types.String(f)); got != types.True {
			t.Errorf("%s: IsSet(%s) = %v, want true", name, f, got)
		}
	}
	if rv.Equal(&vv) != types.False {
		t.Error("a record equals a vendor")
	}
	if rv.IsSet(types.String("amount")) != types.False || rv.IsSet(types.String("hints")) != types.True {
		t.Error("record: has(amount) and has(hints) are wrong")
	}
}
