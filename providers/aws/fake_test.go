package aws

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// fakeAWS is one httptest handler that speaks each service's protocol the way aws-sdk-go-v2 sends it:
//   - awsQuery (form POST with Action=, XML replies) for IAM and STS,
//   - awsJson 1.1 (X-Amz-Target) for Organizations, the Resource Groups Tagging API and Cost Explorer,
//   - REST-XML (/2013-04-01/...) for Route 53,
//   - Smithy RPC v2 CBOR (/service/AWSMPCommerceService_v20200301/operation/<Op>) for Marketplace Agreement.
//
// The calling account is read from the SigV4 credential (the access key the fake's AssumeRole handed out), so
// one fake serves a whole organisation. Lists are served in pages of pageSize; failures are injected per
// account and operation.
type fakeAWS struct {
	t        testing.TB
	mgmt     string
	pageSize int
	latency  time.Duration // added to every request, as a remote API's round trip
	// slow delays every request of one account by slowBy (an account that hangs).
	slow   string
	slowBy time.Duration
	// inFlight and maxInFlight count concurrent requests (overall and per account and service).
	inFlight, maxInFlight map[string]int
	// overlap, when > 0, holds member-account requests until that many are in flight at once (once; after that
	// nothing is held), so a test proves the client's concurrency without relying on timing. A client that never
	// gets there is released after overlapGiveUp, and the test's count shows it.
	overlap     int
	overlapDone chan struct{}
	overlapOnce sync.Once

	mu       sync.Mutex
	accounts map[string]*fakeAccount // by ID
	order    []string                // ListAccounts order
	ous      []fakeOU
	rootID   string
	// faults: "<account>/<Op>" or "*/<Op>" → a failure to inject.
	faults map[string]*fault
	// deny: "<account>/<Op>" → AccessDenied. "<account>/AssumeRole" denies assuming into the account.
	deny  map[string]bool
	calls map[string]int // "<account>/<Op>" → requests, including failed ones
	// actions counts the IAM actions the requests needed ("iam:ListAccessKeys"), from the SigV4 signing name of
	// each request and its operation; "member|iam:ListAccessKeys" counts those made in member accounts.
	actions map[string]int
	spend   []fakeSpend
}

type fakeOU struct{ ID, Name, Parent string }

// fault makes Count requests fail with Kind ("throttle", "5xx", "malformed") once After requests have passed.
type fault struct {
	Kind         string
	After, Count int
}

type fakeAccount struct {
	ID, Name, State, Parent string
	Roles                   []fakeRole
	Users                   []fakeUser
	OIDC                    []fakeOIDC
	SAML                    []fakeSAML
	Zones                   []fakeZone
	Agreements              []fakeAgreement
	Resources               map[string][]fakeResource // by region
}

type fakeRole struct {
	Name     string
	Doc      string // JSON; served URL-encoded as IAM does
	Created  time.Time
	LastUsed time.Time
	Tags     map[string]string
}

type fakeUser struct {
	Name    string
	Created time.Time
	Tags    map[string]string
	Keys    []fakeKey
}

type fakeKey struct {
	ID, Status       string
	Created          time.Time
	LastUsed         time.Time
	Service, Region  string
	LastUsedNotFound bool
}

type fakeOIDC struct {
	Host      string
	ClientIDs []string
}

type fakeSAML struct{ Name, EntityID string }

type fakeZone struct {
	ID, Name string
	Private  bool
	Sets     []fakeRRSet
}

type fakeRRSet struct {
	Name, Type string
	TTL        int64
	Values     []string
	Alias      string
}

type fakeAgreement struct {
	ID, Seller, Product, ProductType, Offer string
	Start, End                              time.Time
	Value, Currency                         string
}

type fakeResource struct {
	ARN  string
	Tags map[string]string
}

type fakeSpend struct {
	Account, Service, Amount string
}

// overlapGiveUp bounds how long fakeAWS.overlap holds requests for a client that never reaches the overlap.
const overlapGiveUp = 30 * time.Second

func newFakeAWS(t testing.TB, mgmt string) *fakeAWS {
	return &fakeAWS{t: t, mgmt: mgmt, pageSize: 2, accounts: map[string]*fakeAccount{}, overlapDone: make(chan struct{}),
		deny: map[string]bool{}, calls: map[string]int{}, actions: map[string]int{}, faults: map[string]*fault{}, rootID: "r-ab12"}
}

func (f *fakeAWS) add(a *fakeAccount) {
	if a.State == "" {
		a.State = "ACTIVE"
	}
	if a.Parent == "" {
		a.Parent = f.rootID
	}
	f.accounts[a.ID] = a
	f.order = append(f.order, a.ID)
}

func (f *fakeAWS) callCount(acct, op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[acct+"/"+op]
}

const (
	baseAccessKey    = "AKIAFAKEBASEKEY00001"
	assumedKeyPrefix = "ASIAFAKE"
)

var reCredential = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// caller returns the account and region a request was signed for.
func (f *fakeAWS) caller(r *http.Request) (acct, region string) {
	m := reCredential.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", ""
	}
	if m[1] == baseAccessKey {
		return f.mgmt, m[2]
	}
	if strings.HasPrefix(m[1], assumedKeyPrefix) {
		return strings.TrimPrefix(m[1], assumedKeyPrefix), m[2]
	}
	return "", m[2]
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Context().Err() != nil {
		return // the client went away mid-request (a cancelled scan): nothing to answer
	}
	acct, region := f.caller(r)
	if acct != "" && acct == f.slow {
		select {
		case <-time.After(f.slowBy):
		case <-r.Context().Done():
			return
		}
	}
	keys := []string{"*", acct + "/" + serviceOf(r, body)}
	if acct != f.mgmt {
		keys = append(keys, "members")
	}
	done := f.track(keys...)
	defer done()
	if f.overlap > 0 && acct != f.mgmt {
		select {
		case <-f.overlapDone:
		case <-time.After(overlapGiveUp):
		case <-r.Context().Done():
			return
		}
	}
	if f.latency > 0 { // a remote round trip: the request counts as in flight meanwhile
		select {
		case <-time.After(f.latency):
		case <-r.Context().Done():
			return
		}
	}
	if acct == "" {
		f.t.Errorf("fake AWS: unsigned or unknown credential on %s %s", r.Method, r.URL.Path)
		http.Error(w, "no credential", http.StatusForbidden)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/service/AWSMPCommerceService_v20200301/operation/"):
		f.serveCBOR(w, r, acct, strings.TrimPrefix(r.URL.Path, "/service/AWSMPCommerceService_v20200301/operation/"), body)
	case r.Header.Get("X-Amz-Target") != "":
		f.serveJSON(w, r, acct, region, r.Header.Get("X-Amz-Target"), body)
	case strings.HasPrefix(r.URL.Path, "/2013-04-01/"):
		f.serveRoute53(w, r, acct)
	case r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		f.serveQuery(w, r, acct, string(body))
	default:
		f.t.Errorf("fake AWS: unexpected %s %s target=%q", r.Method, r.URL, r.Header.Get("X-Amz-Target"))
		http.NotFound(w, r)
	}
}

// serviceOf names the service a request is for: the awsQuery ones by their Action's service ("sts" for
// AssumeRole and GetCallerIdentity, "query" for IAM), the rest by protocol.
func serviceOf(r *http.Request, body []byte) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/service/"):
		return "marketplace"
	case r.Header.Get("X-Amz-Target") != "":
		return strings.SplitN(r.Header.Get("X-Amz-Target"), ".", 2)[0]
	case strings.HasPrefix(r.URL.Path, "/2013-04-01/"):
		return "route53"
	}
	if q, err := url.ParseQuery(string(body)); err == nil && (q.Get("Action") == "AssumeRole" || q.Get("Action") == "GetCallerIdentity") {
		return "sts"
	}
	return "query" // IAM
}

// track counts a request in flight under each key and remembers the most seen at once.
func (f *fakeAWS) track(keys ...string) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inFlight == nil {
		f.inFlight, f.maxInFlight = map[string]int{}, map[string]int{}
	}
	for _, k := range keys {
		f.inFlight[k]++
		f.maxInFlight[k] = max(f.maxInFlight[k], f.inFlight[k])
	}
	if f.overlap > 0 && f.inFlight["members"] >= f.overlap {
		f.overlapOnce.Do(func() { close(f.overlapDone) })
	}
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, k := range keys {
			f.inFlight[k]--
		}
	}
}

// iamAction is the IAM action a request needs: the service's IAM prefix (its SigV4 signing name, but for the
// Resource Groups Tagging API, which signs as "tagging" and is authorised as "tag") and the operation.
func iamAction(r *http.Request, op string) string {
	m := reCredential.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "unsigned:" + op
	}
	svc := m[3]
	if svc == "tagging" {
		svc = "tag"
	}
	return svc + ":" + op
}

// Actions returns the IAM actions requested so far.
func (f *fakeAWS) Actions() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.actions))
	for k, v := range f.actions {
		out[k] = v
	}
	return out
}

// gate counts the call and returns the injected failure, if any: "throttle", "5xx", "malformed", "deny" or "".
func (f *fakeAWS) gate(r *http.Request, acct, op string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := acct + "/" + op
	f.calls[key]++
	f.actions[iamAction(r, op)]++
	if acct != f.mgmt {
		f.actions["member|"+iamAction(r, op)]++
	}
	if f.deny[key] {
		return "deny"
	}
	for _, k := range []string{key, "*/" + op} {
		if ft := f.faults[k]; ft != nil && ft.Count > 0 {
			if ft.After > 0 {
				ft.After--
				continue
			}
			ft.Count--
			return ft.Kind
		}
	}
	return ""
}

// page returns items [start, start+pageSize) for token and the next token ("" at the end).
func page[T any](f *fakeAWS, op, token string, items []T) ([]T, string, bool) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "tok-"))
		if err != nil || !strings.HasPrefix(token, "tok-") || n < 0 || n > len(items) {
			f.t.Errorf("fake AWS: %s: bad page token %q", op, token)
			return nil, "", false
		}
		start = n
	}
	end := min(start+f.pageSize, len(items))
	next := ""
	if end < len(items) {
		next = "tok-" + strconv.Itoa(end)
	}
	return items[start:end], next, true
}

// orgPage answers a page of an Organizations list: the items under key and the NextToken; a bad token is
// InvalidInputException.
func (f *fakeAWS) orgPage(w http.ResponseWriter, op, token, key string, items []map[string]any) {
	pg, next, ok := page(f, op, token, items)
	if !ok {
		jsonError(w, 400, "InvalidInputException", "bad token")
		return
	}
	writeJSON(w, 200, map[string]any{key: pg, "NextToken": nilIfEmpty(next)})
}

// ---- XML helpers (awsQuery and REST-XML) ----

func el(tag string, children ...string) string {
	return "<" + tag + ">" + strings.Join(children, "") + "</" + tag + ">"
}

// truncated is the paging tail of a list answer: IsTruncated, and the marker element naming the next page.
func truncated(marker, next string) string {
	if next == "" {
		return tx("IsTruncated", "false")
	}
	return tx("IsTruncated", "true") + tx(marker, next)
}

func tx(tag, v string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v))
	return "<" + tag + ">" + b.String() + "</" + tag + ">"
}

func ts(tag string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return tx(tag, t.UTC().Format(time.RFC3339))
}

func members(items []string) string { return strings.Join(items, "") }

func xmlTags(tags map[string]string) string {
	var out []string
	for _, k := range sortedKeys(tags) {
		out = append(out, el("member", tx("Key", k), tx("Value", tags[k])))
	}
	return el("Tags", members(out))
}

func writeXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+body)
}

func queryError(w http.ResponseWriter, status int, code, msg string) {
	writeXML(w, status, el("ErrorResponse", el("Error", tx("Type", "Sender"), tx("Code", code), tx("Message", msg)),
		tx("RequestId", "req-1")))
}

// xmlFault answers an injected failure in the XML protocols (awsQuery, REST-XML); false when there is none.
func xmlFault(w http.ResponseWriter, kind, denied string) bool {
	switch kind {
	case "throttle":
		queryError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
	case "5xx":
		queryError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable")
	case "malformed":
		writeXML(w, http.StatusOK, "<Truncated><Resp")
	case "deny":
		queryError(w, http.StatusForbidden, "AccessDenied", denied)
	default:
		return false
	}
	return true
}

func queryOK(w http.ResponseWriter, op, result string) {
	writeXML(w, http.StatusOK, "<"+op+`Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`+
		el(op+"Result", result)+el("ResponseMetadata", tx("RequestId", "req-1"))+"</"+op+"Response>")
}

// iamEncode URL-encodes a policy document the way IAM returns it (RFC 3986, spaces as %20).
func iamEncode(doc string) string {
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (f *fakeAWS) serveQuery(w http.ResponseWriter, r *http.Request, acct, body string) {
	form, err := parseForm(body)
	if err != nil {
		f.t.Errorf("fake AWS: bad form body: %v", err)
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	op := form.Get("Action")
	if xmlFault(w, f.gate(r, acct, op), "User: arn:aws:sts::"+acct+":assumed-role/x is not authorized to perform: "+op) {
		return
	}
	a := f.accounts[acct]
	switch op {
	case "GetCallerIdentity":
		queryOK(w, op, tx("Arn", "arn:aws:iam::"+acct+":user/scanner")+tx("UserId", "AIDAFAKE")+tx("Account", acct))
	case "AssumeRole":
		m := regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(.+)$`).FindStringSubmatch(form.Get("RoleArn"))
		if m == nil {
			f.t.Errorf("fake AWS: AssumeRole of %q", form.Get("RoleArn"))
			queryError(w, http.StatusBadRequest, "ValidationError", "bad RoleArn")
			return
		}
		target := m[1]
		if f.deny[target+"/AssumeRole"] || f.accounts[target] == nil {
			queryError(w, http.StatusForbidden, "AccessDenied", "User: arn:aws:iam::"+acct+":user/scanner is not authorized to perform: sts:AssumeRole on resource: "+form.Get("RoleArn"))
			return
		}
		if form.Get("RoleSessionName") != "shadowscan" {
			f.t.Errorf("fake AWS: AssumeRole session name %q", form.Get("RoleSessionName"))
		}
		f.mu.Lock()
		f.calls[target+"/AssumeRole:extid="+form.Get("ExternalId")]++
		f.mu.Unlock()
		queryOK(w, op, el("Credentials", tx("AccessKeyId", assumedKeyPrefix+target), tx("SecretAccessKey", "fake-secret"),
			tx("SessionToken", "fake-token"), tx("Expiration", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))+
			el("AssumedRoleUser", tx("Arn", "arn:aws:sts::"+target+":assumed-role/"+m[2]+"/shadowscan"), tx("AssumedRoleId", "AROAFAKE:shadowscan")))
	case "GetAccountAuthorizationDetails":
		if got := form.Get("Filter.member.1") + "," + form.Get("Filter.member.2"); got != "Role,User" {
			f.t.Errorf("fake AWS: GetAccountAuthorizationDetails filter %q", got)
		}
		var items []string
		for _, ro := range a.Roles {
			lu := ""
			if !ro.LastUsed.IsZero() {
				lu = el("RoleLastUsed", ts("LastUsedDate", ro.LastUsed), tx("Region", "us-east-1"))
			} else {
				lu = el("RoleLastUsed")
			}
			items = append(items, "R"+el("member", tx("Path", "/"), tx("RoleName", ro.Name), tx("RoleId", "AROA"+strings.ToUpper(ro.Name)),
				tx("Arn", "arn:aws:iam::"+acct+":role/"+ro.Name), ts("CreateDate", ro.Created),
				tx("AssumeRolePolicyDocument", iamEncode(ro.Doc)), el("InstanceProfileList"), el("RolePolicyList"),
				el("AttachedManagedPolicies"), xmlTags(ro.Tags), lu))
		}
		for _, u := range a.Users {
			items = append(items, "U"+el("member", tx("Path", "/"), tx("UserName", u.Name), tx("UserId", "AIDA"+strings.ToUpper(u.Name)),
				tx("Arn", "arn:aws:iam::"+acct+":user/"+u.Name), ts("CreateDate", u.Created), el("UserPolicyList"),
				el("GroupList"), el("AttachedManagedPolicies"), xmlTags(u.Tags)))
		}
		pg, next, ok := page(f, op, form.Get("Marker"), items)
		if !ok {
			queryError(w, http.StatusBadRequest, "InvalidInput", "bad marker")
			return
		}
		var roles, users []string
		for _, it := range pg {
			if it[0] == 'R' {
				roles = append(roles, it[1:])
			} else {
				users = append(users, it[1:])
			}
		}
		res := el("UserDetailList", members(users)) + el("GroupDetailList") + el("RoleDetailList", members(roles)) + el("Policies")
		res += truncated("Marker", next)
		queryOK(w, op, res)
	case "ListAccessKeys":
		u := a.user(form.Get("UserName"))
		if u == nil {
			queryError(w, http.StatusNotFound, "NoSuchEntity", "no user")
			return
		}
		var items []string
		for _, k := range u.Keys {
			items = append(items, el("member", tx("UserName", u.Name), tx("AccessKeyId", k.ID), tx("Status", k.Status), ts("CreateDate", k.Created)))
		}
		pg, next, ok := page(f, op, form.Get("Marker"), items)
		if !ok {
			queryError(w, http.StatusBadRequest, "InvalidInput", "bad marker")
			return
		}
		res := el("AccessKeyMetadata", members(pg))
		res += truncated("Marker", next)
		queryOK(w, op, res)
	case "GetAccessKeyLastUsed":
		id := form.Get("AccessKeyId")
		for _, u := range a.Users {
			for _, k := range u.Keys {
				if k.ID != id {
					continue
				}
				if k.LastUsed.IsZero() {
					queryOK(w, op, tx("UserName", u.Name)+el("AccessKeyLastUsed", tx("ServiceName", "N/A"), tx("Region", "N/A")))
					return
				}
				queryOK(w, op, tx("UserName", u.Name)+el("AccessKeyLastUsed", ts("LastUsedDate", k.LastUsed),
					tx("ServiceName", k.Service), tx("Region", k.Region)))
				return
			}
		}
		queryError(w, http.StatusNotFound, "NoSuchEntity", "no key")
	case "ListOpenIDConnectProviders":
		var items []string
		for _, p := range a.OIDC {
			items = append(items, el("member", tx("Arn", "arn:aws:iam::"+acct+":oidc-provider/"+p.Host)))
		}
		queryOK(w, op, el("OpenIDConnectProviderList", members(items)))
	case "GetOpenIDConnectProvider":
		for _, p := range a.OIDC {
			if form.Get("OpenIDConnectProviderArn") == "arn:aws:iam::"+acct+":oidc-provider/"+p.Host {
				var cids []string
				for _, c := range p.ClientIDs {
					cids = append(cids, tx("member", c))
				}
				queryOK(w, op, tx("Url", p.Host)+el("ClientIDList", members(cids))+el("ThumbprintList", tx("member", strings.Repeat("a", 40)))+
					ts("CreateDate", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)))
				return
			}
		}
		queryError(w, http.StatusNotFound, "NoSuchEntity", "no provider")
	case "ListSAMLProviders":
		var items []string
		for _, p := range a.SAML {
			items = append(items, el("member", tx("Arn", "arn:aws:iam::"+acct+":saml-provider/"+p.Name),
				ts("ValidUntil", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)), ts("CreateDate", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))))
		}
		queryOK(w, op, el("SAMLProviderList", members(items)))
	case "GetSAMLProvider":
		for _, p := range a.SAML {
			if form.Get("SAMLProviderArn") == "arn:aws:iam::"+acct+":saml-provider/"+p.Name {
				md := `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + p.EntityID + `"><md:IDPSSODescriptor/></md:EntityDescriptor>`
				queryOK(w, op, tx("SAMLMetadataDocument", md)+ts("CreateDate", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)))
				return
			}
		}
		queryError(w, http.StatusNotFound, "NoSuchEntity", "no provider")
	default:
		f.t.Errorf("fake AWS: unexpected query action %q", op)
		http.NotFound(w, r)
	}
}

func (a *fakeAccount) user(name string) *fakeUser {
	for i := range a.Users {
		if a.Users[i].Name == name {
			return &a.Users[i]
		}
	}
	return nil
}

// ---- awsJson 1.1 ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func jsonError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]string{"__type": typ, "message": msg})
}

func (f *fakeAWS) serveJSON(w http.ResponseWriter, r *http.Request, acct, region, target string, body []byte) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		f.t.Errorf("fake AWS: %s: Content-Type %q", target, ct)
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		f.t.Errorf("fake AWS: %s: body not JSON: %v", target, err)
		jsonError(w, http.StatusBadRequest, "SerializationException", "bad body")
		return
	}
	svc, op, _ := strings.Cut(target, ".")
	str := func(k string) string { s, _ := in[k].(string); return s }
	switch f.gate(r, acct, op) {
	case "5xx":
		jsonError(w, http.StatusInternalServerError, "InternalServerException", "internal error")
		return
	case "malformed":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"Accounts": [{"Id": 12`)
		return
	case "throttle":
		code := "ThrottlingException"
		if svc == "AWSOrganizationsV20161128" {
			code = "TooManyRequestsException"
		}
		if svc == "ResourceGroupsTaggingAPI_20170126" {
			// A bare 429 with Retry-After, which the SDK's standard retryer would not retry by default.
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		jsonError(w, http.StatusBadRequest, code, "Rate exceeded")
		return
	case "deny":
		jsonError(w, http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
		return
	}
	switch target {
	case "AWSOrganizationsV20161128.DescribeOrganization":
		writeJSON(w, 200, map[string]any{"Organization": map[string]any{"Id": "o-abcdef1234", "MasterAccountId": f.mgmt,
			"MasterAccountArn": "arn:aws:organizations::" + f.mgmt + ":account/o-abcdef1234/" + f.mgmt, "FeatureSet": "ALL"}})
	case "AWSOrganizationsV20161128.ListAccounts":
		var all []map[string]any
		for _, id := range f.order {
			all = append(all, f.orgAccountJSON(f.accounts[id]))
		}
		f.orgPage(w, op, str("NextToken"), "Accounts", all)
	case "AWSOrganizationsV20161128.ListRoots":
		writeJSON(w, 200, map[string]any{"Roots": []map[string]any{{"Id": f.rootID, "Name": "Root",
			"Arn": "arn:aws:organizations::" + f.mgmt + ":root/o-abcdef1234/" + f.rootID}}})
	case "AWSOrganizationsV20161128.ListOrganizationalUnitsForParent":
		var ous []map[string]any
		for _, ou := range f.ous {
			if ou.Parent == str("ParentId") {
				ous = append(ous, map[string]any{"Id": ou.ID, "Name": ou.Name})
			}
		}
		f.orgPage(w, op, str("NextToken"), "OrganizationalUnits", ous)
	case "AWSOrganizationsV20161128.ListAccountsForParent":
		var accts []map[string]any
		for _, id := range f.order {
			if a := f.accounts[id]; a.Parent == str("ParentId") {
				accts = append(accts, f.orgAccountJSON(a))
			}
		}
		f.orgPage(w, op, str("NextToken"), "Accounts", accts)
	case "ResourceGroupsTaggingAPI_20170126.GetResources":
		filters, _ := in["TagFilters"].([]any)
		if len(filters) != 1 {
			f.t.Errorf("fake AWS: GetResources with %d tag filters", len(filters))
		}
		fm, _ := filters[0].(map[string]any)
		key, _ := fm["Key"].(string)
		var vals []string
		if vs, ok := fm["Values"].([]any); ok {
			for _, v := range vs {
				s, _ := v.(string)
				vals = append(vals, s)
			}
		}
		var res []map[string]any
		for _, rs := range f.accounts[acct].Resources[region] {
			v, ok := rs.Tags[key]
			if !ok || (len(vals) > 0 && !contains(vals, v)) {
				continue
			}
			var tags []map[string]string
			for _, k := range sortedKeys(rs.Tags) {
				tags = append(tags, map[string]string{"Key": k, "Value": rs.Tags[k]})
			}
			res = append(res, map[string]any{"ResourceARN": rs.ARN, "Tags": tags})
		}
		pg, next, ok := page(f, op, str("PaginationToken"), res)
		if !ok {
			jsonError(w, 400, "InvalidParameterException", "bad token")
			return
		}
		writeJSON(w, 200, map[string]any{"ResourceTagMappingList": pg, "PaginationToken": next})
	case "AWSInsightsIndexService.GetCostAndUsage":
		var groups []map[string]any
		for _, s := range f.spend {
			groups = append(groups, map[string]any{"Keys": []string{s.Account, s.Service},
				"Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": s.Amount, "Unit": "USD"}}})
		}
		tp, _ := in["TimePeriod"].(map[string]any)
		pg, next, ok := page(f, op, str("NextPageToken"), groups)
		if !ok {
			jsonError(w, 400, "InvalidNextTokenException", "bad token")
			return
		}
		writeJSON(w, 200, map[string]any{"ResultsByTime": []map[string]any{{"TimePeriod": tp, "Groups": pg, "Estimated": false}},
			"NextPageToken": nilIfEmpty(next)})
	default:
		f.t.Errorf("fake AWS: unexpected X-Amz-Target %q", target)
		jsonError(w, 400, "UnknownOperationException", "unknown")
	}
}

func (f *fakeAWS) orgAccountJSON(a *fakeAccount) map[string]any {
	return map[string]any{"Id": a.ID, "Name": a.Name, "Email": a.Name + "@northwind.example", "State": a.State,
		"Status": legacyStatus(a.State),
		"Arn":    "arn:aws:organizations::" + f.mgmt + ":account/o-abcdef1234/" + a.ID, "JoinedMethod": "CREATED",
		"JoinedTimestamp": float64(time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC).Unix())}
}

// legacyStatus is the deprecated Status field that older responses carry instead of State.
func legacyStatus(state string) string {
	switch state {
	case "ACTIVE", "PENDING_CLOSURE":
		return state
	}
	return "SUSPENDED"
}

func parseForm(body string) (url.Values, error) { return url.ParseQuery(body) }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// ---- REST-XML (Route 53) ----

func (f *fakeAWS) serveRoute53(w http.ResponseWriter, r *http.Request, acct string) {
	a := f.accounts[acct]
	path := strings.TrimPrefix(r.URL.Path, "/2013-04-01/")
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && path == "hostedzone":
		if xmlFault(w, f.gate(r, acct, "ListHostedZones"), "not authorized") {
			return
		}
		var zones []string
		for _, z := range a.Zones {
			zones = append(zones, el("HostedZone", tx("Id", "/hostedzone/"+z.ID), tx("Name", z.Name+"."), tx("CallerReference", "ref-"+z.ID),
				el("Config", tx("PrivateZone", strconv.FormatBool(z.Private))), tx("ResourceRecordSetCount", strconv.Itoa(len(z.Sets)))))
		}
		pg, next, ok := page(f, "ListHostedZones", q.Get("marker"), zones)
		if !ok {
			queryError(w, 400, "InvalidInput", "bad marker")
			return
		}
		res := el("HostedZones", members(pg)) + tx("Marker", q.Get("marker")) + tx("MaxItems", "100")
		res += truncated("NextMarker", next)
		writeXML(w, 200, `<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">`+res+`</ListHostedZonesResponse>`)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "hostedzone/") && strings.HasSuffix(path, "/rrset"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "hostedzone/"), "/rrset")
		if xmlFault(w, f.gate(r, acct, "ListResourceRecordSets"), "not authorized") {
			return
		}
		var zone *fakeZone
		for i := range a.Zones {
			if a.Zones[i].ID == id {
				zone = &a.Zones[i]
			}
		}
		if zone == nil {
			f.t.Errorf("fake AWS: ListResourceRecordSets of unknown zone %q", id)
			queryError(w, 404, "NoSuchHostedZone", "no zone")
			return
		}
		start := 0
		if n := q.Get("name"); n != "" {
			start = -1
			for i, s := range zone.Sets {
				if s.Name+"." == n && s.Type == q.Get("type") {
					start = i
				}
			}
			if start < 0 {
				f.t.Errorf("fake AWS: ListResourceRecordSets start %s %s not found", n, q.Get("type"))
				queryError(w, 400, "InvalidInput", "bad start")
				return
			}
		}
		end := min(start+f.pageSize, len(zone.Sets))
		var sets []string
		for _, s := range zone.Sets[start:end] {
			var body string
			if s.Alias != "" {
				body = el("AliasTarget", tx("HostedZoneId", "Z2FDTNDATAQYW2"), tx("DNSName", s.Alias), tx("EvaluateTargetHealth", "false"))
			} else {
				var rrs []string
				for _, v := range s.Values {
					rrs = append(rrs, el("ResourceRecord", tx("Value", v)))
				}
				body = tx("TTL", strconv.FormatInt(s.TTL, 10)) + el("ResourceRecords", members(rrs))
			}
			sets = append(sets, el("ResourceRecordSet", tx("Name", s.Name+"."), tx("Type", s.Type), body))
		}
		res := el("ResourceRecordSets", members(sets)) + tx("MaxItems", strconv.Itoa(f.pageSize))
		if end < len(zone.Sets) {
			res += tx("IsTruncated", "true") + tx("NextRecordName", zone.Sets[end].Name+".") + tx("NextRecordType", zone.Sets[end].Type)
		} else {
			res += tx("IsTruncated", "false")
		}
		writeXML(w, 200, `<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">`+res+`</ListResourceRecordSetsResponse>`)
	default:
		f.t.Errorf("fake AWS: unexpected Route 53 %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

// ---- Smithy RPC v2 CBOR (Marketplace Agreement) ----

func writeCBOR(w http.ResponseWriter, status int, v cbor.Value) {
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.WriteHeader(status)
	_, _ = w.Write(cbor.Encode(v))
}

func cborTime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
}

func (f *fakeAWS) serveCBOR(w http.ResponseWriter, r *http.Request, acct, op string, body []byte) {
	if r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || r.Header.Get("Content-Type") != "application/cbor" {
		f.t.Errorf("fake AWS: %s: Smithy-Protocol %q Content-Type %q", op, r.Header.Get("Smithy-Protocol"), r.Header.Get("Content-Type"))
	}
	v, err := cbor.Decode(body)
	in, ok := v.(cbor.Map)
	if err != nil || !ok {
		f.t.Errorf("fake AWS: %s: body is not a CBOR map: %v", op, err)
		writeCBOR(w, 400, cbor.Map{"__type": cbor.String("ValidationException"), "message": cbor.String("bad body")})
		return
	}
	str := func(k string) string { s, _ := in[k].(cbor.String); return string(s) }
	switch f.gate(r, acct, op) {
	case "5xx":
		writeCBOR(w, 500, cbor.Map{"__type": cbor.String("InternalServerException"), "message": cbor.String("internal")})
		return
	case "malformed":
		w.Header().Set("Content-Type", "application/cbor")
		_, _ = w.Write([]byte{0xbf, 0x78, 0xff})
		return
	case "throttle":
		writeCBOR(w, 400, cbor.Map{"__type": cbor.String("com.amazonaws.marketplaceagreement#ThrottlingException"),
			"message": cbor.String("Rate exceeded")})
		return
	case "deny":
		writeCBOR(w, 403, cbor.Map{"__type": cbor.String("com.amazonaws.marketplaceagreement#AccessDeniedException"),
			"message": cbor.String("User is not authorized to perform: aws-marketplace:" + op)})
		return
	}
	a := f.accounts[acct]
	switch op {
	case "SearchAgreements":
		filters := map[string]string{}
		if l, ok := in["filters"].(cbor.List); ok {
			for _, fv := range l {
				fm, _ := fv.(cbor.Map)
				name, _ := fm["name"].(cbor.String)
				vals, _ := fm["values"].(cbor.List)
				var vs []string
				for _, x := range vals {
					s, _ := x.(cbor.String)
					vs = append(vs, string(s))
				}
				filters[string(name)] = strings.Join(vs, ",")
			}
		}
		if filters["PartyType"] != "Acceptor" || filters["AgreementType"] != "PurchaseAgreement" {
			f.t.Errorf("fake AWS: SearchAgreements filters %v", filters)
		}
		var items []cbor.Value
		for _, ag := range a.Agreements {
			items = append(items, cbor.Map{
				"agreementId":    cbor.String(ag.ID),
				"agreementType":  cbor.String("PurchaseAgreement"),
				"status":         cbor.String("ACTIVE"),
				"acceptanceTime": cborTime(ag.Start),
				"startTime":      cborTime(ag.Start),
				"endTime":        cborTime(ag.End),
				"acceptor":       cbor.Map{"accountId": cbor.String(acct)},
				"proposer":       cbor.Map{"accountId": cbor.String(ag.Seller)},
				"proposalSummary": cbor.Map{"offerId": cbor.String(ag.Offer),
					"resources": cbor.List{cbor.Map{"id": cbor.String(ag.Product), "type": cbor.String(ag.ProductType)}}},
				"endTimeBehaviorType": cbor.String("RENEW"),
			})
		}
		pg, next, ok := page(f, op, str("nextToken"), items)
		if !ok {
			writeCBOR(w, 400, cbor.Map{"__type": cbor.String("ValidationException"), "message": cbor.String("bad token")})
			return
		}
		out := cbor.Map{"agreementViewSummaries": cbor.List(pg)}
		if next != "" {
			out["nextToken"] = cbor.String(next)
		}
		writeCBOR(w, 200, out)
	case "DescribeAgreement":
		for _, ag := range a.Agreements {
			if ag.ID == str("agreementId") {
				writeCBOR(w, 200, cbor.Map{"agreementId": cbor.String(ag.ID), "status": cbor.String("ACTIVE"),
					"proposer":         cbor.Map{"accountId": cbor.String(ag.Seller)},
					"estimatedCharges": cbor.Map{"agreementValue": cbor.String(ag.Value), "currencyCode": cbor.String(ag.Currency)},
					"endTimeBehavior":  cbor.Map{"type": cbor.String("RENEW")}})
				return
			}
		}
		writeCBOR(w, 404, cbor.Map{"__type": cbor.String("ResourceNotFoundException"), "message": cbor.String("no agreement")})
	default:
		f.t.Errorf("fake AWS: unexpected Marketplace Agreement operation %q", op)
		writeCBOR(w, 404, cbor.Map{"__type": cbor.String("UnknownOperationException"), "message": cbor.String(op)})
	}
}
