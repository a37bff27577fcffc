package aws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner/glob"
)

// Principal types of a trust-policy principal (attribute principal_type).
const (
	principalAccount   = "account"        // a 12-digit account ID or the account's root ARN
	principalARN       = "arn"            // a role, user or assumed-role ARN in some account
	principalService   = "service"        // an AWS service (ec2.amazonaws.com)
	principalFederated = "federated"      // a SAML or OIDC provider, or a web identity provider
	principalWildcard  = "wildcard"       // "*", an ARN with a * account, or NotPrincipal
	principalCanonical = "canonical_user" // an S3 canonical user ID
	principalUniqueID  = "unique_id"      // AROA…/AIDA…: what IAM shows once a trusted principal was deleted
)

// trustPrincipal is one principal a role's trust policy lets assume it, merged over all allowing statements.
type trustPrincipal struct {
	Key     string // stable key for the record ID: the account ID for account principals, else the value
	Value   string // as written in the policy
	Type    string // one of the principal* constants
	Account string // the 12-digit account, when the principal names one
	// ExternalID is true when every statement that allows this principal requires sts:ExternalId.
	ExternalID bool
	// OrgRestricted is true when every allowing statement pins the caller's organisation or account by
	// condition (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:SourceAccount, aws:SourceOrgID).
	OrgRestricted bool
	NotPrincipal  bool     // came from an Allow + NotPrincipal statement
	Actions       []string // the sts actions allowed, sorted
	Conditions    []string // condition keys seen across the allowing statements, lower-cased and sorted
}

// policyDoc is an IAM policy document. Statement may be one object or a list.
type policyDoc struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid          string                                `json:"Sid"`
	Effect       string                                `json:"Effect"`
	Principal    json.RawMessage                       `json:"Principal"`
	NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
	Action       json.RawMessage                       `json:"Action"`
	NotAction    json.RawMessage                       `json:"NotAction"`
	Condition    map[string]map[string]json.RawMessage `json:"Condition"`
}

var (
	reAcct12     = regexp.MustCompile(`^\d{12}$`)
	reIAMARN     = regexp.MustCompile(`^arn:(aws[a-z-]*):(iam|sts)::([^:]*):(.+)$`)
	reUniqueID   = regexp.MustCompile(`^A[A-Z]{3}[A-Z0-9]{12,}$`)
	reCanonical  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	orgCondition = map[string]bool{"aws:principalorgid": true, "aws:principalorgpaths": true,
		"aws:principalaccount": true, "aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true}
)

// decodePolicyDocument turns a policy document as IAM returns it (URL-encoded JSON), as the AWS CLI prints it
// (a JSON object), or as plain JSON text into its JSON bytes.
func decodePolicyDocument(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("empty policy document")
	}
	if raw[0] == '{' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("policy document is neither an object nor a string: %w", err)
	}
	return decodePolicyString(s)
}

// decodePolicyString URL-decodes a policy document string when it is encoded.
func decodePolicyString(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty policy document")
	}
	if !strings.HasPrefix(s, "{") {
		// IAM encodes the document per RFC 3986; '+' stays a literal plus.
		dec, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("policy document is not URL-encoded JSON: %w", err)
		}
		s = strings.TrimSpace(dec)
	}
	if !strings.HasPrefix(s, "{") {
		return nil, errors.New("policy document is not a JSON object")
	}
	return []byte(s), nil
}

// parseTrustPolicy returns the principals the trust policy allows to assume the role, sorted by key. Deny
// statements are ignored (they only narrow access), as are Allow statements whose actions cannot assume a role.
func parseTrustPolicy(doc []byte) ([]trustPrincipal, error) {
	var pd policyDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&pd); err != nil {
		return nil, fmt.Errorf("trust policy: %w", err)
	}
	stmts, err := decodeStatements(pd.Statement)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*trustPrincipal{}
	var order []string
	for i, st := range stmts {
		if !strings.EqualFold(strings.TrimSpace(st.Effect), "Allow") {
			continue
		}
		actions, ok, err := assumeActions(st)
		if err != nil {
			return nil, fmt.Errorf("trust policy: Statement[%d]: %w", i, err)
		}
		if !ok {
			continue
		}
		var prins []trustPrincipal
		switch {
		case len(st.Principal) > 0 && string(st.Principal) != "null":
			prins, err = decodePrincipals(st.Principal)
		case len(st.NotPrincipal) > 0 && string(st.NotPrincipal) != "null":
			// Allow with NotPrincipal lets everyone except the listed principals assume the role.
			prins = []trustPrincipal{{Key: "*", Value: "NotPrincipal", Type: principalWildcard, NotPrincipal: true}}
		default:
			err = errors.New("no Principal")
		}
		if err != nil {
			return nil, fmt.Errorf("trust policy: Statement[%d]: %w", i, err)
		}
		condKeys, extID, orgPinned := conditionFacts(st.Condition)
		for _, p := range prins {
			cur, seen := byKey[p.Key]
			if !seen {
				p := p
				p.ExternalID, p.OrgRestricted = extID, orgPinned
				byKey[p.Key] = &p
				order = append(order, p.Key)
				cur = &p
			} else {
				cur.ExternalID = cur.ExternalID && extID
				cur.OrgRestricted = cur.OrgRestricted && orgPinned
				cur.NotPrincipal = cur.NotPrincipal || p.NotPrincipal
			}
			cur.Actions = mergeSorted(cur.Actions, actions)
			cur.Conditions = mergeSorted(cur.Conditions, condKeys)
		}
	}
	sort.Strings(order)
	out := make([]trustPrincipal, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, nil
}

func decodeStatements(raw json.RawMessage) ([]statement, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("trust policy: no Statement")
	}
	if raw[0] == '{' {
		var st statement
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("trust policy: Statement: %w", err)
		}
		return []statement{st}, nil
	}
	var sts []statement
	if err := json.Unmarshal(raw, &sts); err != nil {
		return nil, fmt.Errorf("trust policy: Statement: %w", err)
	}
	return sts, nil
}

// stringList decodes a JSON string or list of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return l, nil
}

// assumeActionNames are the sts actions that assume a role.
var assumeActionNames = []string{"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"}

// assumeActions returns the statement's actions that let a principal assume the role, and whether there are any.
func assumeActions(st statement) ([]string, bool, error) {
	if len(st.Action) == 0 && len(st.NotAction) > 0 {
		// NotAction in a trust policy allows every sts action but the listed ones.
		return []string{"NotAction"}, true, nil
	}
	acts, err := stringList(st.Action)
	if err != nil {
		return nil, false, fmt.Errorf("element Action: %w", err)
	}
	var out []string
	for _, a := range acts {
		l := strings.ToLower(strings.TrimSpace(a))
		for _, cand := range assumeActionNames {
			if glob.Match(l, cand) { // IAM's * and ? mean the same here: action names hold no '/'
				out = append(out, a)
				break
			}
		}
	}
	sort.Strings(out)
	return out, len(out) > 0, nil
}

// decodePrincipals decodes a Principal element: "*" or {"AWS"|"Service"|"Federated"|"CanonicalUser": string|list}.
func decodePrincipals(raw json.RawMessage) ([]trustPrincipal, error) {
	raw = bytes.TrimSpace(raw)
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("element Principal: %w", err)
		}
		if strings.TrimSpace(s) != "*" {
			return nil, fmt.Errorf("element Principal: string %q (only \"*\" may be a bare string)", s)
		}
		return []trustPrincipal{{Key: "*", Value: "*", Type: principalWildcard}}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("element Principal: want \"*\" or an object")
	}
	var out []trustPrincipal
	for _, kind := range slices.Sorted(maps.Keys(m)) {
		vals, err := stringList(m[kind])
		if err != nil {
			return nil, fmt.Errorf("element Principal.%s: %w", kind, err)
		}
		for _, v := range vals {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			out = append(out, classifyPrincipal(kind, v))
		}
	}
	return out, nil
}

// classifyPrincipal types one principal value of the given Principal key.
func classifyPrincipal(kind, v string) trustPrincipal {
	p := trustPrincipal{Key: v, Value: v}
	switch strings.ToLower(kind) {
	case "service":
		p.Type = principalService
		return p
	case "federated":
		p.Type = principalFederated
		if m := reIAMARN.FindStringSubmatch(v); m != nil && reAcct12.MatchString(m[3]) {
			p.Account = m[3]
		}
		return p
	case "canonicaluser":
		p.Type = principalCanonical
		return p
	}
	// "AWS" (and anything unknown, which IAM would reject): accounts, ARNs, unique IDs, wildcards.
	switch {
	case v == "*":
		p.Type, p.Key = principalWildcard, "*"
	case reAcct12.MatchString(v):
		p.Type, p.Account = principalAccount, v
	case reIAMARN.MatchString(v):
		m := reIAMARN.FindStringSubmatch(v)
		acct, res := m[3], m[4]
		switch {
		case strings.Contains(acct, "*") || strings.Contains(acct, "?"):
			p.Type = principalWildcard
		case !reAcct12.MatchString(acct):
			p.Type = principalARN
		case res == "root":
			p.Type, p.Account, p.Key = principalAccount, acct, acct
		default:
			p.Type, p.Account = principalARN, acct
		}
	case strings.Contains(v, "*"):
		p.Type = principalWildcard
	case reUniqueID.MatchString(v):
		p.Type = principalUniqueID
	case reCanonical.MatchString(v):
		p.Type = principalCanonical
	default:
		p.Type = principalARN
	}
	return p
}

// conditionFacts returns a statement's condition keys (lower-case, sorted), whether it requires sts:ExternalId
// and whether it pins the caller's organisation or account.
func conditionFacts(cond map[string]map[string]json.RawMessage) (keys []string, externalID, orgPinned bool) {
	seen := map[string]bool{}
	for op, kv := range cond {
		lop := strings.ToLower(op)
		isNull := strings.HasPrefix(lop, "null")
		// A negated operator or an ...IfExists one does not require the key to be present.
		weak := strings.Contains(lop, "not") || strings.HasSuffix(lop, "ifexists")
		for k, v := range kv {
			lk := strings.ToLower(strings.TrimSpace(k))
			if !seen[lk] {
				seen[lk] = true
				keys = append(keys, lk)
			}
			required := !weak
			if isNull {
				// {"Null": {"sts:ExternalId": "false"}} requires the key to be present.
				required = strings.EqualFold(strings.Trim(string(v), "\" \t\r\n[]"), "false")
			}
			if !required {
				continue
			}
			if lk == "sts:externalid" {
				externalID = true
			}
			if orgCondition[lk] {
				orgPinned = true
			}
		}
	}
	sort.Strings(keys)
	return keys, externalID, orgPinned
}

func mergeSorted(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
