package rules

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// The CEL variables are typed objects (record, vendor, approval, org, usage and their parts), so that a misspelt
// field is a load-time error and field access at evaluation time is a plain Go field read: each variable is a
// "view" over the scanner's own structs that implements ref.Val, and the type provider below hands the
// interpreter a getter per field. Nothing is converted to a map per record.

// field is one field of a CEL object type.
type field struct {
	name  string
	typ   *types.Type
	doc   string
	get   func(obj any) (ref.Val, bool) // false: obj is not this type's view
	isSet func(obj any) bool            // nil: always set
}

// objDef is a CEL object type backed by a Go view type.
type objDef struct {
	name   string
	typ    *types.Type
	doc    string
	fields map[string]*field
	names  []string
	ftypes map[string]*types.FieldType
}

func defineObj(name, doc string, fs ...*field) *objDef {
	o := &objDef{name: name, doc: doc, typ: types.NewObjectType(name), fields: map[string]*field{},
		ftypes: map[string]*types.FieldType{}}
	for _, f := range fs {
		o.fields[f.name] = f
		o.names = append(o.names, f.name)
		o.ftypes[f.name] = &types.FieldType{
			Type: f.typ,
			IsSet: func(t any) bool {
				if rv, ok := t.(ref.Val); ok {
					t = rv.Value()
				}
				if f.isSet == nil {
					_, ok := f.get(t)
					return ok
				}
				return f.isSet(t)
			},
			GetFrom: func(t any) (any, error) {
				if rv, ok := t.(ref.Val); ok {
					t = rv.Value()
				}
				v, ok := f.get(t)
				if !ok {
					return nil, fmt.Errorf("no field %q on %T", f.name, t)
				}
				return v, nil
			},
		}
	}
	return o
}

// fld defines a field read from view type T.
func fld[T any](name string, typ *types.Type, doc string, get func(*T) ref.Val) *field {
	return &field{name: name, typ: typ, doc: doc, get: func(o any) (ref.Val, bool) {
		t, ok := o.(*T)
		if !ok || t == nil {
			return nil, false
		}
		return get(t), true
	}}
}

// opt makes a field support has(): set reports presence.
func opt[T any](f *field, set func(*T) bool) *field {
	f.isSet = func(o any) bool {
		t, ok := o.(*T)
		return ok && t != nil && set(t)
	}
	return f
}

// viewDef is the definition of a CEL object type whose values are views of Go type V.
type viewDef[V any] struct {
	*objDef
	eq func(a, b *V) bool // CEL ==; nil: the same view
}

func defineView[V any](name, doc string, eq func(a, b *V) bool, fs ...*field) *viewDef[V] {
	return &viewDef[V]{objDef: defineObj(name, doc, fs...), eq: eq}
}

// celObj gives a view of Go type V the methods of a CEL value (ref.Val, traits.Indexer, traits.FieldTester).
// Every view embeds one and binds it to itself (bind) where it is built or reset; views are reused across records,
// so this costs nothing per evaluation. An unbound view panics when CEL touches it.
type celObj[V any] struct {
	self *V
	def  *viewDef[V]
}

func (o *celObj[V]) bind(self *V, def *viewDef[V]) { o.self, o.def = self, def }

// object is what nativeObj and nativeFields need of any view.
func (o *celObj[V]) object() (*objDef, any) { return o.def.objDef, o.self }

// view is implemented by every view, through celObj.
type view interface {
	ref.Val
	object() (*objDef, any)
}

func (o *celObj[V]) Type() ref.Type { return o.def.typ }
func (o *celObj[V]) Value() any     { return o.self }

func (o *celObj[V]) Equal(other ref.Val) ref.Val {
	w, ok := any(other).(*V)
	if !ok {
		return types.False
	}
	if o.def.eq == nil {
		return types.Bool(w == o.self)
	}
	return types.Bool(o.def.eq(o.self, w))
}

// Get implements traits.Indexer (used when a value is reached dynamically, e.g. through dyn).
func (o *celObj[V]) Get(key ref.Val) ref.Val {
	f, err := o.field(key)
	if err != nil {
		return err
	}
	v, _ := f.get(o.self)
	if v == nil {
		return types.NewErr("no such field %q on %s", f.name, o.def.name)
	}
	return v
}

// IsSet implements traits.FieldTester (has()).
func (o *celObj[V]) IsSet(key ref.Val) ref.Val {
	f, err := o.field(key)
	if err != nil {
		return err
	}
	if f.isSet == nil {
		return types.True
	}
	return types.Bool(f.isSet(o.self))
}

func (o *celObj[V]) field(key ref.Val) (*field, ref.Val) {
	k, ok := key.(types.String)
	if !ok {
		return nil, types.NewErr("no such key: %v", key)
	}
	f := o.def.fields[string(k)]
	if f == nil {
		return nil, types.NewErr("no such field %q on %s", string(k), o.def.name)
	}
	return f, nil
}

func (o *celObj[V]) ConvertToType(t ref.Type) ref.Val {
	switch t.TypeName() {
	case o.def.name:
		return any(o.self).(ref.Val)
	case types.TypeType.TypeName():
		return o.def.typ
	}
	return types.NewErr("type conversion error from %s to %s", o.def.name, t.TypeName())
}

func (o *celObj[V]) ConvertToNative(t reflect.Type) (any, error) {
	if reflect.TypeOf(o.self).AssignableTo(t) {
		return o.self, nil
	}
	return nil, fmt.Errorf("type conversion error from %s to %v", o.def.name, t)
}

// Common CEL types.
var (
	strList    = types.NewListType(types.StringType)
	strDynMap  = types.NewMapType(types.StringType, types.DynType)
	strIntMap  = types.NewMapType(types.StringType, types.IntType)
	strDblMap  = types.NewMapType(types.StringType, types.DoubleType)
	strListMap = types.NewMapType(types.StringType, strList)
	emptyList  = types.NewStringList(types.DefaultTypeAdapter, nil)
	zeroTime   = types.Timestamp{Time: time.Unix(0, 0).UTC()}
)

// interned holds boxed CEL strings for values that recur on every record (kinds, statuses, sources, hint types),
// so that reading them does not allocate.
var interned = map[string]ref.Val{}

var emptyStr ref.Val = types.String("")

func init() {
	for _, s := range []string{"", scanner.KindOAuthGrant, scanner.KindSaaSSubscription, scanner.KindExpense,
		scanner.KindCloudTrust, scanner.KindCloudCredential, scanner.KindCloudResource, scanner.KindIdentityProvider,
		scanner.KindDNSRecord, scanner.KindApp, scanner.ApprovalApproved, scanner.ApprovalTolerated, scanner.ApprovalReview,
		scanner.ApprovalBanned, scanner.ApprovalExpired, scanner.ApprovalUnapproved, scanner.PeriodOneTime,
		scanner.PeriodWeekly, scanner.PeriodMonthly, scanner.PeriodQuarterly, scanner.PeriodAnnual, "USD", "EUR", "GBP",
		"google_workspace", "aws", "microsoft", "dns", "expenses", "inventory", "user", "service", "account", "role",
		policy.ClassRestricted, policy.ClassHigh, policy.ClassSensitive, policy.ClassLow, policy.ClassUnknown} {
		interned[s] = types.String(s)
	}
	for _, h := range scanner.HintTypes {
		interned[string(h)] = types.String(h)
	}
}

// internStr boxes s, without allocating for common values.
func internStr(s string) ref.Val {
	if v, ok := interned[s]; ok {
		return v
	}
	return types.String(s)
}

func ts(t time.Time) ref.Val {
	if t.IsZero() {
		return zeroTime
	}
	return types.Timestamp{Time: t}
}

// goStrList is a CEL list of strings over a Go slice, so that shadowscan's functions read the slice without
// conversion. Views keep one per list field and point it at the record's slice, so reading the field allocates
// nothing; what needs cel-go's own list (iteration, +, conversions, equality) builds it on first use.
type goStrList struct {
	s       []string
	adapter types.Adapter
	list    traits.Lister // cel-go's list over s, built on first use
}

// set points l at s and returns it as a CEL value (the shared empty list when s is empty).
func (l *goStrList) set(adapter types.Adapter, s []string) ref.Val {
	if len(s) == 0 {
		return emptyList
	}
	*l = goStrList{s: s, adapter: adapter}
	return l
}

// strs is a new CEL list over s (function results).
func strs(adapter types.Adapter, s []string) ref.Val {
	if len(s) == 0 {
		return emptyList
	}
	return &goStrList{s: s, adapter: adapter}
}

func (l *goStrList) cel() traits.Lister {
	if l.list == nil {
		l.list = types.NewStringList(l.adapter, l.s)
	}
	return l.list
}

func (l *goStrList) ConvertToNative(t reflect.Type) (any, error) { return l.cel().ConvertToNative(t) }
func (l *goStrList) ConvertToType(t ref.Type) ref.Val            { return l.cel().ConvertToType(t) }
func (l *goStrList) Equal(o ref.Val) ref.Val                     { return l.cel().Equal(o) }
func (l *goStrList) Type() ref.Type                              { return types.ListType }
func (l *goStrList) Value() any                                  { return l.s }
func (l *goStrList) Add(o ref.Val) ref.Val                       { return l.cel().Add(o) }
func (l *goStrList) Get(i ref.Val) ref.Val                       { return l.cel().Get(i) }
func (l *goStrList) Iterator() traits.Iterator                   { return l.cel().Iterator() }
func (l *goStrList) Size() ref.Val                               { return types.Int(len(l.s)) }

// Contains is `x in list`: a string is compared with the Go strings directly.
func (l *goStrList) Contains(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return l.cel().Contains(v)
	}
	for _, x := range l.s {
		if x == string(s) {
			return types.True
		}
	}
	return types.False
}

// ---- hint ----

type hintView struct {
	celObj[hintView]
	h *scanner.Hint
}

var hintDef = defineView[hintView]("shadowscan.Hint", "a typed vendor hint",
	func(v, w *hintView) bool { return *w.h == *v.h },
	fld("type", types.StringType, "hint type: google_client_id, entra_app_id, aws_account, spf_include, txt_token, dkim_selector, cname_target, domain, name, merchant",
		func(v *hintView) ref.Val { return internStr(string(v.h.Type)) }),
	fld("value", types.StringType, "the hint's value", func(v *hintView) ref.Val { return types.String(v.h.Value) }),
	fld("target", types.StringType, "CNAME target of a DKIM selector", func(v *hintView) ref.Val { return types.String(v.h.Target) }),
)

// ---- principal ----

type principalView struct {
	celObj[principalView]
	p   *scanner.Principal
	org *orgView
}

var emptyPrincipal scanner.Principal

var principalDef = defineView[principalView]("shadowscan.Principal", "who holds or made what the record describes",
	func(v, w *principalView) bool { return *w.p == *v.p },
	fld("type", types.StringType, "user, service, role, account or tenant", func(v *principalView) ref.Val { return internStr(v.p.Type) }),
	fld("id", types.StringType, "identifier (user ID, account ID, role ARN)", func(v *principalView) ref.Val { return types.String(v.p.ID) }),
	fld("email", types.StringType, "e-mail address", func(v *principalView) ref.Val { return types.String(v.p.Email) }),
	fld("name", types.StringType, "display name", func(v *principalView) ref.Val { return types.String(v.p.Name) }),
	fld("org_unit", types.StringType, "organisational unit path", func(v *principalView) ref.Val { return types.String(v.p.OrgUnit) }),
	fld("department", types.StringType, "department", func(v *principalView) ref.Val { return types.String(v.p.Department) }),
	fld("suspended", types.BoolType, "the account is suspended", func(v *principalView) ref.Val { return types.Bool(v.p.Suspended) }),
	fld("marketing", types.BoolType, "the person is in marketing (organization.marketing org_units or departments)",
		func(v *principalView) ref.Val { return types.Bool(v.org.isMarketing(v.p)) }),
)

// ---- amount ----

type amountView struct {
	celObj[amountView]
	a *scanner.Amount
}

var emptyAmount scanner.Amount

var amountDef = defineView[amountView]("shadowscan.Amount", "money with its currency and billing period",
	func(v, w *amountView) bool { return *w.a == *v.a },
	fld("value", types.DoubleType, "amount per period", func(v *amountView) ref.Val { return types.Double(v.a.Value) }),
	fld("currency", types.StringType, "ISO 4217 code", func(v *amountView) ref.Val { return internStr(strings.ToUpper(v.a.Currency)) }),
	fld("period", types.StringType, "one_time, weekly, monthly, quarterly or annual", func(v *amountView) ref.Val { return internStr(v.a.Period) }),
	fld("monthly", types.DoubleType, "monthly equivalent; 0 for one-off amounts", func(v *amountView) ref.Val {
		m, _ := v.a.Monthly()
		return types.Double(m)
	}),
	fld("recurring", types.BoolType, "the amount recurs (weekly, monthly, quarterly or annual)", func(v *amountView) ref.Val {
		_, ok := v.a.Monthly()
		return types.Bool(ok)
	}),
)

// ---- record ----

// recordView is the CEL `record`. It is reused across records (reset), so values derived from the record are
// cached in it and built at most once per record.
type recordView struct {
	celObj[recordView]
	rec       *scanner.Record
	org       *orgView
	adapter   types.Adapter
	principal principalView
	amount    amountView

	hintViews []hintView
	hintVals  []ref.Val
	hints     ref.Val
	scopes    ref.Val
	scopesL   goStrList
	attrs     ref.Val
	user      ref.Val
}

func (v *recordView) reset(rec *scanner.Record, org *orgView, adapter types.Adapter) {
	v.bind(v, recordDef)
	v.rec, v.org, v.adapter = rec, org, adapter
	v.principal = principalView{p: rec.Principal, org: org}
	v.principal.bind(&v.principal, principalDef)
	if rec.Principal == nil {
		v.principal.p = &emptyPrincipal
	}
	v.amount = amountView{a: rec.Amount}
	v.amount.bind(&v.amount, amountDef)
	if rec.Amount == nil {
		v.amount.a = &emptyAmount
	}
	v.hints, v.scopes, v.attrs, v.user = nil, nil, nil, nil
}

func (v *recordView) hintList() ref.Val {
	if v.hints != nil {
		return v.hints
	}
	n := len(v.rec.Hints)
	if n == 0 {
		v.hints = types.NewRefValList(v.adapter, nil)
		return v.hints
	}
	if cap(v.hintViews) < n {
		v.hintViews = make([]hintView, n)
		v.hintVals = make([]ref.Val, n)
	}
	v.hintViews, v.hintVals = v.hintViews[:n], v.hintVals[:n]
	for i := range v.rec.Hints {
		v.hintViews[i].h = &v.rec.Hints[i]
		v.hintViews[i].bind(&v.hintViews[i], hintDef)
		v.hintVals[i] = &v.hintViews[i]
	}
	v.hints = types.NewRefValList(v.adapter, v.hintVals)
	return v.hints
}

var recordDef = defineView[recordView]("shadowscan.Record", "one normalised observation from a provider",
	func(v, w *recordView) bool { return w.rec == v.rec },
	fld("kind", types.StringType, "oauth_grant, saas_subscription, expense, cloud_trust, cloud_credential, cloud_resource, identity_provider, dns_record, app",
		func(v *recordView) ref.Val { return internStr(v.rec.Kind) }),
	fld("id", types.StringType, "stable ID within the provider", func(v *recordView) ref.Val { return types.String(v.rec.ID) }),
	fld("provider", types.StringType, "provider instance name", func(v *recordView) ref.Val { return types.String(v.rec.Provider) }),
	fld("source", types.StringType, "provider type (google_workspace, aws, microsoft, dns, expenses, inventory…)",
		func(v *recordView) ref.Val { return internStr(v.rec.Source) }),
	fld("summary", types.StringType, "one-line description", func(v *recordView) ref.Val { return types.String(v.rec.Summary) }),
	opt(fld("hints", types.NewListType(hintDef.typ), "typed vendor hints", func(v *recordView) ref.Val { return v.hintList() }),
		func(v *recordView) bool { return len(v.rec.Hints) > 0 }),
	opt(fld("principal", principalDef.typ, "who (empty fields when the record has none)",
		func(v *recordView) ref.Val { return &v.principal }),
		func(v *recordView) bool { return v.rec.Principal != nil }),
	fld("user", types.StringType, "the principal's e-mail, lower-case, or \"\"", func(v *recordView) ref.Val {
		if v.user == nil {
			v.user = types.String(v.rec.User())
		}
		return v.user
	}),
	opt(fld("scopes", strList, "OAuth scopes or permissions", func(v *recordView) ref.Val {
		if v.scopes == nil {
			v.scopes = v.scopesL.set(v.adapter, v.rec.Scopes)
		}
		return v.scopes
	}), func(v *recordView) bool { return len(v.rec.Scopes) > 0 }),
	opt(fld("amount", amountDef.typ, "price (zero when the record has none)", func(v *recordView) ref.Val { return &v.amount }),
		func(v *recordView) bool { return v.rec.Amount != nil }),
	opt(fld("attributes", strDynMap, "provider-specific facts", func(v *recordView) ref.Val {
		if v.attrs == nil {
			if len(v.rec.Attributes) == 0 {
				v.attrs = emptyDynMap
			} else {
				v.attrs = types.NewStringInterfaceMap(v.adapter, v.rec.Attributes)
			}
		}
		return v.attrs
	}), func(v *recordView) bool { return len(v.rec.Attributes) > 0 }),
	opt(fld("first_seen", types.TimestampType, "first time seen (epoch when unknown)", func(v *recordView) ref.Val { return ts(v.rec.FirstSeen) }),
		func(v *recordView) bool { return !v.rec.FirstSeen.IsZero() }),
	opt(fld("last_seen", types.TimestampType, "last time seen (epoch when unknown)", func(v *recordView) ref.Val { return ts(v.rec.LastSeen) }),
		func(v *recordView) bool { return !v.rec.LastSeen.IsZero() }),
)

var emptyDynMap = types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{})

// ---- vendor ----

// vendorView is the CEL `vendor`: the catalogue vendor a record resolved to, or, when nothing resolved, an
// unknown vendor named after the record's strongest hint.
type vendorView struct {
	celObj[vendorView]
	adapter types.Adapter
	known   bool
	v       scanner.Vendor
	res     scanner.Resolution
	rec     *scanner.Record // record stage, unknown vendor: where the name and key come from
	hint    hintView

	key, name string
	keyDone   bool
	subcats   ref.Val
	subcatsL  goStrList
	idV, keyV ref.Val // boxed once per record
}

var emptyHint scanner.Hint

func (v *vendorView) resetRecord(rec *scanner.Record, res scanner.Resolution, adapter types.Adapter) {
	*v = vendorView{adapter: adapter, res: res, rec: rec}
	if res.Vendor != nil {
		v.known, v.v = true, *res.Vendor
	}
	v.hint.h = &v.res.Hint
	v.bindAll()
}

func (v *vendorView) resetKnown(vend scanner.Vendor, adapter types.Adapter) {
	*v = vendorView{adapter: adapter, known: true, v: vend}
	v.hint.h = &emptyHint
	v.bindAll()
}

func (v *vendorView) resetUnknown(key, name string, adapter types.Adapter) {
	*v = vendorView{adapter: adapter, key: key, name: name, keyDone: true}
	v.hint.h = &emptyHint
	v.bindAll()
}

func (v *vendorView) bindAll() {
	v.bind(v, vendorDef)
	v.hint.bind(&v.hint, hintDef)
}

// strongestHint picks the hint that best identifies a record, as the scanner does for unidentified groups.
func strongestHint(r *scanner.Record) (scanner.Hint, bool) {
	for _, t := range scanner.HintTypes {
		if h, ok := r.Hint(t); ok {
			return h, true
		}
	}
	return scanner.Hint{}, false
}

// unknownKey computes the key and name of an unresolved record: the same key the scanner gives its
// unidentified group.
func (v *vendorView) unknownKey() {
	if v.keyDone {
		return
	}
	v.keyDone = true
	if v.rec == nil {
		return
	}
	h := v.res.Hint
	if h.Value == "" {
		h, _ = strongestHint(v.rec)
	}
	if h.Value == "" {
		v.key = "kind:" + v.rec.Kind
		v.name = v.rec.Summary
		if v.name == "" {
			v.name = v.rec.ID
		}
		return
	}
	v.key = string(h.Type) + ":" + strings.ToLower(h.Value)
	v.name = h.Value
	if n, ok := v.rec.Hint(scanner.HintName); ok && n.Value != "" {
		v.name = n.Value
	}
}

func (v *vendorView) keyVal() string {
	if v.known {
		return v.v.ID
	}
	v.unknownKey()
	return v.key
}

func (v *vendorView) nameVal() string {
	if v.known {
		return v.v.Name
	}
	v.unknownKey()
	return v.name
}

var vendorDef = defineView[vendorView]("shadowscan.Vendor", "the catalogue vendor a record resolved to (known is false when none did)",
	func(v, w *vendorView) bool { return w.keyVal() == v.keyVal() },
	fld("known", types.BoolType, "a catalogue vendor matched", func(v *vendorView) ref.Val { return types.Bool(v.known) }),
	fld("id", types.StringType, "catalogue ID; \"\" when unknown", func(v *vendorView) ref.Val {
		if v.idV == nil {
			v.idV = boxed(v.v.ID)
		}
		return v.idV
	}),
	fld("name", types.StringType, "display name; for an unknown vendor the app name or the strongest hint's value",
		func(v *vendorView) ref.Val {
			if v.known {
				return boxed(v.v.Name)
			}
			return types.String(v.nameVal())
		}),
	fld("key", types.StringType, "grouping key: the ID, or for an unknown vendor hint_type:value (as in the report's unidentified list)",
		func(v *vendorView) ref.Val {
			if v.keyV == nil {
				v.keyV = types.String(v.keyVal())
			}
			return v.keyV
		}),
	fld("category", types.StringType, "catalogue category", func(v *vendorView) ref.Val { return types.String(v.v.Category) }),
	fld("subcategories", strList, "catalogue subcategories, primary first", func(v *vendorView) ref.Val {
		if v.subcats == nil {
			v.subcats = v.subcatsL.set(v.adapter, v.v.Subcategories)
		}
		return v.subcats
	}),
	fld("martech", types.BoolType, "a marketing technology vendor", func(v *vendorView) ref.Val { return types.Bool(v.v.Martech) }),
	fld("confidence", types.DoubleType, "resolver confidence, 0..1 (1 at the inventory stage)", func(v *vendorView) ref.Val {
		if v.rec == nil && v.known {
			return types.Double(1)
		}
		return types.Double(v.res.Confidence)
	}),
	fld("reason", types.StringType, "why the resolver chose the vendor", func(v *vendorView) ref.Val { return types.String(v.res.Reason) }),
	fld("hint", hintDef.typ, "the hint that matched (or, when unknown, the strongest hint)", func(v *vendorView) ref.Val { return &v.hint }),
)

// ---- approval ----

type approvalView struct {
	celObj[approvalView]
	adapter   types.Adapter
	a         scanner.Approval
	scopes    ref.Val
	accounts  ref.Val
	scopesL   goStrList
	accountsL goStrList
}

func (v *approvalView) reset(a scanner.Approval, adapter types.Adapter) {
	if a.Status == "" {
		a.Status = scanner.ApprovalUnapproved
	}
	*v = approvalView{adapter: adapter, a: a}
	v.bind(v, approvalDef)
}

var approvalDef = defineView[approvalView]("shadowscan.Approval", "the organisation's decision about the vendor (approved.yaml)",
	func(v, w *approvalView) bool {
		return w.a.Status == v.a.Status && w.a.Owner == v.a.Owner && w.a.Ticket == v.a.Ticket
	},
	fld("status", types.StringType, "approved, tolerated, review, banned, expired or unapproved", func(v *approvalView) ref.Val { return internStr(v.a.Status) }),
	fld("approved", types.BoolType, "status is approved or tolerated", func(v *approvalView) ref.Val { return types.Bool(!scanner.Unapproved(v.a.Status)) }),
	fld("expired", types.BoolType, "the approval's expiry date has passed", func(v *approvalView) ref.Val {
		return types.Bool(v.a.Status == scanner.ApprovalExpired)
	}),
	fld("listed", types.BoolType, "the vendor is in the approved-tools file, whatever its status", func(v *approvalView) ref.Val {
		return types.Bool(v.a.Status != scanner.ApprovalUnapproved)
	}),
	fld("owner", types.StringType, "who owns the decision", func(v *approvalView) ref.Val { return types.String(v.a.Owner) }),
	fld("ticket", types.StringType, "the ticket that records it", func(v *approvalView) ref.Val { return types.String(v.a.Ticket) }),
	fld("notes", types.StringType, "free text", func(v *approvalView) ref.Val { return types.String(v.a.Notes) }),
	opt(fld("expires", types.TimestampType, "expiry (epoch when none)", func(v *approvalView) ref.Val { return ts(v.a.Expires) }),
		func(v *approvalView) bool { return !v.a.Expires.IsZero() }),
	fld("scopes", strList, "approved OAuth scope ceiling (globs); empty: no ceiling", func(v *approvalView) ref.Val {
		if v.scopes == nil {
			v.scopes = v.scopesL.set(v.adapter, v.a.Scopes)
		}
		return v.scopes
	}),
	fld("aws_accounts", strList, "vendor AWS accounts the approval covers; empty: any", func(v *approvalView) ref.Val {
		if v.accounts == nil {
			v.accounts = v.accountsL.set(v.adapter, v.a.AWSAccounts)
		}
		return v.accounts
	}),
)

// ---- org ----

// orgView is the CEL `org`. It is built once per engine and never changes.
type orgView struct {
	celObj[orgView]
	name        string
	domains     []string
	orgUnits    []string
	departments []string
	awsTags     map[string]string
	thresholds  map[string]int
	approvedBy  map[string][]string // subcategory → approved vendor names
	approvedIDs map[string][]string // subcategory → approved vendor IDs (to leave a vendor out of its own alternatives)
	now         time.Time

	vals map[string]ref.Val
}

var orgDef = defineView[orgView]("shadowscan.Org", "the organisation and scan settings", nil,
	fld("name", types.StringType, "organization.name", func(v *orgView) ref.Val { return v.vals["name"] }),
	fld("domains", strList, "organization.domains", func(v *orgView) ref.Val { return v.vals["domains"] }),
	fld("marketing", types.NewMapType(types.StringType, types.DynType),
		"organization.marketing: org_units (list), departments (list), aws_tags (map)", func(v *orgView) ref.Val { return v.vals["marketing"] }),
	fld("thresholds", strIntMap, "rules.thresholds merged over the defaults (many_users: 10)", func(v *orgView) ref.Val { return v.vals["thresholds"] }),
	fld("approved_by_subcategory", strListMap, "subcategory → names of approved vendors in it",
		func(v *orgView) ref.Val { return v.vals["approved_by_subcategory"] }),
	fld("now", types.TimestampType, "the scan's clock", func(v *orgView) ref.Val { return v.vals["now"] }),
)

func (v *orgView) build(adapter types.Adapter) {
	v.bind(v, orgDef)
	if v.awsTags == nil {
		v.awsTags = map[string]string{}
	}
	v.vals = map[string]ref.Val{
		"name":    types.String(v.name),
		"domains": strs(adapter, v.domains),
		"marketing": adapter.NativeToValue(map[string]any{"org_units": nonNil(v.orgUnits), "departments": nonNil(v.departments),
			"aws_tags": v.awsTags}),
		"thresholds":              adapter.NativeToValue(v.thresholds),
		"approved_by_subcategory": adapter.NativeToValue(v.approvedBy),
		"now":                     types.Timestamp{Time: v.now},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isMarketing reports whether a person is in marketing by org unit (the unit or below it) or department.
func (v *orgView) isMarketing(p *scanner.Principal) bool {
	if p == nil {
		return false
	}
	for _, d := range v.departments {
		if p.Department != "" && strings.EqualFold(d, p.Department) {
			return true
		}
	}
	for _, ou := range v.orgUnits {
		ou = strings.TrimSuffix(ou, "/")
		if p.OrgUnit != "" && (strings.EqualFold(p.OrgUnit, ou) || strings.HasPrefix(strings.ToLower(p.OrgUnit), strings.ToLower(ou)+"/")) {
			return true
		}
	}
	return false
}

// alternatives returns the approved vendors sharing a subcategory with v, other than v itself.
func (o *orgView) alternatives(v *vendorView) []string {
	var out []string
	for _, sc := range v.v.Subcategories {
		names, ids := o.approvedBy[sc], o.approvedIDs[sc]
		for i, n := range names {
			if i < len(ids) && v.known && ids[i] == v.v.ID {
				continue
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// ---- usage ----

// usageView is the CEL `usage` of the inventory and unidentified stages: one vendor's roll-up, or one group of
// records no vendor matched.
type usageView struct {
	celObj[usageView]
	adapter types.Adapter
	it      *scanner.InventoryItem
	u       *scanner.Unidentified
	vals    map[string]ref.Val
}

func (v *usageView) reset(it *scanner.InventoryItem, u *scanner.Unidentified, adapter types.Adapter) {
	*v = usageView{adapter: adapter, it: it, u: u}
	v.bind(v, usageDef)
}

func (v *usageView) val(name string, build func() any) ref.Val {
	if x, ok := v.vals[name]; ok {
		return x
	}
	if v.vals == nil {
		v.vals = map[string]ref.Val{}
	}
	x := v.adapter.NativeToValue(build())
	v.vals[name] = x
	return x
}

func usageStrs(v *usageView, name string, it func(*scanner.InventoryItem) []string, u func(*scanner.Unidentified) []string) ref.Val {
	return v.val(name, func() any {
		if v.it != nil {
			return nonNil(it(v.it))
		}
		return nonNil(u(v.u))
	})
}

var usageDef = defineView[usageView]("shadowscan.Usage", "one vendor's roll-up across all sources (inventory stage) or one unidentified group (unidentified stage)", nil,
	fld("unidentified", types.BoolType, "this is an unidentified group, not a catalogue vendor", func(v *usageView) ref.Val { return types.Bool(v.u != nil) }),
	fld("users", strList, "distinct users (lower-case e-mails)", func(v *usageView) ref.Val {
		return usageStrs(v, "users", func(i *scanner.InventoryItem) []string { return i.Users }, func(u *scanner.Unidentified) []string { return u.Users })
	}),
	fld("user_count", types.IntType, "number of distinct users", func(v *usageView) ref.Val {
		if v.it != nil {
			return types.Int(v.it.UserCount)
		}
		return types.Int(v.u.UserCount)
	}),
	fld("sources", strList, "provider types the vendor was seen in", func(v *usageView) ref.Val {
		return usageStrs(v, "sources", func(i *scanner.InventoryItem) []string { return i.Sources }, func(u *scanner.Unidentified) []string { return u.Sources })
	}),
	fld("records", types.IntType, "number of records", func(v *usageView) ref.Val {
		if v.it != nil {
			return types.Int(v.it.Records)
		}
		return types.Int(v.u.Records)
	}),
	fld("kinds", strIntMap, "record kind → count (unidentified: count 1 per kind seen)", func(v *usageView) ref.Val {
		return v.val("kinds", func() any {
			m := map[string]int{}
			if v.it != nil {
				for k, n := range v.it.Kinds {
					m[k] = n
				}
			} else {
				for _, k := range v.u.Kinds {
					m[k] = 1
				}
			}
			return m
		})
	}),
	fld("scopes", strList, "every OAuth scope granted to the vendor", func(v *usageView) ref.Val {
		return usageStrs(v, "scopes", func(i *scanner.InventoryItem) []string { return i.Scopes }, func(u *scanner.Unidentified) []string { return u.Scopes })
	}),
	fld("monthly_spend", strDblMap, "currency → monthly-equivalent spend", func(v *usageView) ref.Val {
		return v.val("monthly_spend", func() any {
			if v.it != nil && v.it.MonthlySpend != nil {
				return v.it.MonthlySpend
			}
			return map[string]float64{}
		})
	}),
	fld("first_seen", types.TimestampType, "earliest first_seen", func(v *usageView) ref.Val {
		if v.it != nil {
			return ts(v.it.FirstSeen)
		}
		return ts(v.u.FirstSeen)
	}),
	fld("last_seen", types.TimestampType, "latest last_seen", func(v *usageView) ref.Val {
		if v.it != nil {
			return ts(v.it.LastSeen)
		}
		return ts(v.u.LastSeen)
	}),
	fld("key", types.StringType, "vendor ID, or the unidentified group's key (hint_type:value)", func(v *usageView) ref.Val {
		if v.it != nil {
			return types.String(v.it.Vendor.ID)
		}
		return types.String(v.u.Key)
	}),
	fld("hint_type", types.StringType, "unidentified: the strongest hint type", func(v *usageView) ref.Val {
		if v.u != nil {
			return types.String(v.u.HintType)
		}
		return types.String("")
	}),
	fld("value", types.StringType, "unidentified: the strongest hint's value", func(v *usageView) ref.Val {
		if v.u != nil {
			return types.String(v.u.Value)
		}
		return types.String("")
	}),
	fld("name", types.StringType, "vendor name, or the unidentified group's display name", func(v *usageView) ref.Val {
		if v.it != nil {
			return types.String(v.it.Vendor.Name)
		}
		return types.String(v.u.Name)
	}),
)

// ---- type provider ----

var objDefs = map[string]*objDef{}

// allDefs lists the view types.
func allDefs() []*objDef {
	return []*objDef{recordDef.objDef, hintDef.objDef, principalDef.objDef, amountDef.objDef, vendorDef.objDef,
		approvalDef.objDef, orgDef.objDef, usageDef.objDef}
}

func init() {
	for _, d := range allDefs() {
		objDefs[d.name] = d
	}
}

// typeProvider serves the view types to the checker and interpreter and delegates everything else to a standard
// registry.
type typeProvider struct {
	*types.Registry
}

func newTypeProvider() (*typeProvider, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	return &typeProvider{Registry: reg}, nil
}

func (p *typeProvider) FindStructType(name string) (*types.Type, bool) {
	if d := objDefs[name]; d != nil {
		return types.NewTypeTypeWithParam(d.typ), true
	}
	return p.Registry.FindStructType(name)
}

func (p *typeProvider) FindStructFieldNames(name string) ([]string, bool) {
	if d := objDefs[name]; d != nil {
		return d.names, true
	}
	return p.Registry.FindStructFieldNames(name)
}

func (p *typeProvider) FindStructFieldType(name, fieldName string) (*types.FieldType, bool) {
	if d := objDefs[name]; d != nil {
		ft, ok := d.ftypes[fieldName]
		return ft, ok
	}
	return p.Registry.FindStructFieldType(name, fieldName)
}

func (p *typeProvider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if objDefs[name] != nil {
		return types.NewErr("cannot construct %s in an expression", name)
	}
	return p.Registry.NewValue(name, fields)
}

// nativeObj converts a view to plain Go values (for templates).
func nativeObj(d *objDef, self any) map[string]any {
	m := make(map[string]any, len(d.names))
	for _, n := range d.names {
		v, ok := d.fields[n].get(self)
		if ok {
			m[n] = toNative(v)
		}
	}
	return m
}

// toNative converts a CEL value to plain Go values: views become maps, lists []any, maps map[string]any,
// timestamps time.Time.
func toNative(v ref.Val) any {
	switch x := v.(type) {
	case nil:
		return nil
	case view:
		return nativeObj(x.object())
	case types.String:
		return string(x)
	case types.Bool:
		return bool(x)
	case types.Int:
		return int64(x)
	case types.Uint:
		return uint64(x)
	case types.Double:
		return float64(x)
	case types.Timestamp:
		return x.Time
	case types.Duration:
		return x.Duration
	case types.Null:
		return nil
	case traits.Lister:
		n := int(x.Size().(types.Int))
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, toNative(x.Get(types.Int(i))))
		}
		return out
	case traits.Mapper:
		out := map[string]any{}
		it := x.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			out[fmt.Sprint(toNative(k))] = toNative(x.Get(k))
		}
		return out
	}
	return v.Value()
}
