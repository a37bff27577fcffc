package aws

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Record IDs (stable: no timestamps, no random):
//
//	cloud_trust        aws:<account>:role/<name>:trust:<principal>   (principal: account ID, ARN, provider or "*")
//	cloud_credential   aws:<account>:user/<name>:key/<key ID>        (key/1, key/2 from a credential report)
//	identity_provider  aws:<account>:oidc-provider/<host/path>, aws:<account>:saml-provider/<name>
//	dns_record         aws:<account>:route53:<zone ID>:<dnssignal record ID>  (export mode: the zone name as zone ID)
//	saas_subscription  aws:<account>:marketplace-agreement/<agreement ID>, aws:<account>:marketplace-spend/<product>
//	cloud_resource     aws:<account>:resource:<ARN>

// Attribute names shared by every record.
const (
	attrAccountID   = "account_id"
	attrAccountName = "account_name"
)

func baseAttrs(a account) map[string]any {
	m := map[string]any{attrAccountID: a.ID}
	if a.Name != "" {
		m[attrAccountName] = a.Name
	}
	if a.OU != "" {
		m["account_ou"] = a.OU
	}
	return m
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func days(now, t time.Time) int64 {
	if t.IsZero() || now.Before(t) {
		return 0
	}
	return int64(now.Sub(t) / (24 * time.Hour))
}

// trustResult is what one role's trust policy gave.
type trustResult struct {
	Records  []scanner.Record
	Internal int // principals in the organisation (or the account itself), not emitted
	Services int // AWS service principals, not emitted
}

// trustRecords turns a role's trust policy into one cloud_trust record per principal outside the organisation.
// AWS service principals and principals in the organisation's own accounts are counted, not emitted: they are
// not third parties. Wildcards are emitted with wildcard=true and no vendor hint.
func trustRecords(a account, r iamRole, internal func(acct string) bool, now time.Time) (trustResult, error) {
	var res trustResult
	doc, err := decodePolicyDocument(r.TrustPolicy)
	if err != nil {
		return res, fmt.Errorf("role %s: %w", r.Name, err)
	}
	prins, err := parseTrustPolicy(doc)
	if err != nil {
		return res, fmt.Errorf("role %s: %w", r.Name, err)
	}
	for _, p := range prins {
		switch {
		case p.Type == principalService:
			res.Services++
			continue
		case p.Type == principalFederated && isAWSFederation(p.Value):
			res.Services++
			continue
		case (p.Type == principalAccount || p.Type == principalARN) && p.Account != "" && internal(p.Account):
			res.Internal++
			continue
		}
		res.Records = append(res.Records, trustRecord(a, r, p, now))
	}
	return res, nil
}

// isAWSFederation says whether a federated principal is AWS's own (Cognito) rather than an outside provider.
func isAWSFederation(v string) bool {
	l := strings.ToLower(v)
	return strings.HasSuffix(l, ".amazonaws.com") || strings.HasSuffix(l, ".amazonaws.com.cn")
}

func trustRecord(a account, r iamRole, p trustPrincipal, now time.Time) scanner.Record {
	attrs := baseAttrs(a)
	attrs["role_arn"] = r.ARN
	attrs["role_name"] = r.Name
	attrs["principal"] = p.Value
	attrs["principal_type"] = p.Type
	attrs["external_id_present"] = p.ExternalID
	attrs["wildcard"] = p.Type == principalWildcard
	attrs["org_restricted"] = p.OrgRestricted
	if p.NotPrincipal {
		attrs["not_principal"] = true
	}
	if p.Account != "" {
		attrs["principal_account"] = p.Account
	}
	if len(p.Actions) > 0 {
		attrs["actions"] = p.Actions
	}
	if len(p.Conditions) > 0 {
		attrs["conditions"] = p.Conditions
	}
	if !r.Created.IsZero() {
		attrs["role_created"] = rfc3339(r.Created)
	}
	if !r.LastUsed.IsZero() {
		attrs["role_last_used"] = rfc3339(r.LastUsed)
		attrs["role_unused_days"] = days(now, r.LastUsed)
		if r.LastUsedRegion != "" {
			attrs["role_last_used_region"] = r.LastUsedRegion
		}
	} else {
		attrs["role_never_used"] = true
		if !r.Created.IsZero() {
			attrs["role_unused_days"] = days(now, r.Created)
		}
	}
	if tags := tagList(r.Tags); len(tags) > 0 {
		attrs["tags"] = tags
	}

	rec := scanner.Record{
		Kind:       scanner.KindCloudTrust,
		ID:         "aws:" + a.ID + ":role/" + r.Name + ":trust:" + p.Key,
		FirstSeen:  r.Created,
		LastSeen:   r.LastUsed,
		Attributes: attrs,
	}
	who := ""
	switch p.Type {
	case principalAccount:
		who = "AWS account " + p.Account
		rec.Hints = []scanner.Hint{{Type: scanner.HintAWSAccount, Value: p.Account}}
		rec.Principal = &scanner.Principal{Type: "account", ID: p.Account}
	case principalARN:
		who = p.Value
		if p.Account != "" {
			who += " (AWS account " + p.Account + ")"
			rec.Hints = []scanner.Hint{{Type: scanner.HintAWSAccount, Value: p.Account}}
			rec.Principal = &scanner.Principal{Type: "account", ID: p.Account, Name: p.Value}
		}
	case principalFederated:
		who = "identity provider " + p.Value
		rec.Hints = federatedHints(p.Value)
	case principalWildcard:
		who = "anyone (" + p.Value + ")"
		if p.OrgRestricted {
			who += ", limited by an organisation or account condition"
		}
	case principalUniqueID:
		who = "a deleted principal (" + p.Value + ")"
	default:
		who = p.Type + " " + p.Value
	}
	ext := "without sts:ExternalId"
	if p.ExternalID {
		ext = "with sts:ExternalId"
	}
	rec.Summary = fmt.Sprintf("IAM role %s in %s trusts %s %s", r.Name, a.target(), who, ext)
	return rec
}

// federatedHints points a federated principal at its provider: the OIDC host as a domain, the SAML provider name.
func federatedHints(v string) []scanner.Hint {
	if m := reIAMARN.FindStringSubmatch(v); m != nil {
		res := m[4]
		switch {
		case strings.HasPrefix(res, "oidc-provider/"):
			host, _, _ := strings.Cut(strings.TrimPrefix(res, "oidc-provider/"), "/")
			if host != "" {
				return []scanner.Hint{{Type: scanner.HintDomain, Value: strings.ToLower(host)}}
			}
		case strings.HasPrefix(res, "saml-provider/"):
			if n := strings.TrimPrefix(res, "saml-provider/"); n != "" {
				return []scanner.Hint{{Type: scanner.HintName, Value: n}}
			}
		}
		return nil
	}
	// Web identity federation names the provider's host: accounts.google.com, graph.facebook.com, www.amazon.com.
	return []scanner.Hint{{Type: scanner.HintDomain, Value: strings.ToLower(v)}}
}

// vendorTagKeys are tag keys whose value names a vendor or tool (compared lower-case, '-' and '_' ignored).
var vendorTagKeys = map[string]bool{"vendor": true, "saas": true, "saasvendor": true, "application": true,
	"app": true, "integration": true, "tool": true, "thirdparty": true, "partner": true, "product": true}

func normTagKey(k string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "", ":", "").Replace(strings.ToLower(k))
}

// tagNameHints returns name hints from vendor-naming tags.
func tagNameHints(tags map[string]string) []scanner.Hint {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []scanner.Hint
	for _, k := range keys {
		if v := strings.TrimSpace(tags[k]); v != "" && vendorTagKeys[normTagKey(k)] {
			out = append(out, scanner.Hint{Type: scanner.HintName, Value: v})
		}
	}
	return out
}

var reNameSep = regexp.MustCompile(`[-_.+=,@/\s]+`)

// nameFromIdentifier turns an IAM name into words: "hubspot-sync" → "hubspot sync".
func nameFromIdentifier(s string) string {
	return strings.TrimSpace(reNameSep.ReplaceAllString(s, " "))
}

func tagList(tags map[string]string) []string {
	out := make([]string, 0, len(tags))
	for k, v := range tags {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func dedupeHints(hs []scanner.Hint) []scanner.Hint {
	seen := map[scanner.Hint]bool{}
	out := hs[:0]
	for _, h := range hs {
		k := scanner.Hint{Type: h.Type, Value: strings.ToLower(h.Value), Target: h.Target}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, h)
	}
	return out
}

// credentialRecord describes an active access key of an IAM user; user (may be nil) adds its tags.
func credentialRecord(a account, k accessKey, user *iamUser, now time.Time) scanner.Record {
	attrs := baseAttrs(a)
	attrs["user_name"] = k.UserName
	if k.UserARN != "" {
		attrs["user_arn"] = k.UserARN
	}
	keyRef := k.ID
	if k.ID != "" {
		attrs["key_id"] = k.ID
	} else {
		keyRef = strconv.Itoa(k.Slot)
		attrs["key_slot"] = int64(k.Slot)
	}
	attrs["status"] = k.Status
	if !k.Created.IsZero() {
		attrs["key_created"] = rfc3339(k.Created)
		attrs["key_age_days"] = days(now, k.Created)
	}
	lastUsed := "never used"
	if !k.LastUsed.IsZero() {
		attrs["key_last_used"] = rfc3339(k.LastUsed)
		attrs["key_unused_days"] = days(now, k.LastUsed)
		lastUsed = "last used " + k.LastUsed.UTC().Format("2006-01-02")
		if k.LastUsedService != "" {
			attrs["key_last_used_service"] = k.LastUsedService
			lastUsed += " (" + k.LastUsedService + ")"
		}
		if k.LastUsedRegion != "" {
			attrs["key_last_used_region"] = k.LastUsedRegion
		}
	} else if k.LastUsedUnknown {
		lastUsed = "last use unknown"
	} else {
		attrs["key_never_used"] = true
	}
	hints := []scanner.Hint{}
	if n := nameFromIdentifier(k.UserName); n != "" {
		hints = append(hints, scanner.Hint{Type: scanner.HintName, Value: n})
	}
	if user != nil {
		if tags := tagList(user.Tags); len(tags) > 0 {
			attrs["tags"] = tags
		}
		hints = append(tagNameHints(user.Tags), hints...)
	}
	age := ""
	if !k.Created.IsZero() {
		age = fmt.Sprintf(", %d days old", days(now, k.Created))
	}
	shown := k.ID
	if shown == "" {
		shown = "#" + keyRef
	}
	return scanner.Record{
		Kind: scanner.KindCloudCredential,
		ID:   "aws:" + a.ID + ":user/" + k.UserName + ":key/" + keyRef,
		Summary: fmt.Sprintf("IAM user %s in %s has an active access key %s%s, %s",
			k.UserName, a.target(), shown, age, lastUsed),
		Hints:      dedupeHints(hints),
		Principal:  &scanner.Principal{Type: "service", ID: k.UserARN, Name: k.UserName},
		FirstSeen:  k.Created,
		LastSeen:   k.LastUsed,
		Attributes: attrs,
	}
}

// identityProviderRecord describes an OIDC or SAML provider.
func identityProviderRecord(a account, p identityProvider) scanner.Record {
	attrs := baseAttrs(a)
	attrs["provider_arn"] = p.ARN
	attrs["provider_type"] = p.Type
	var hints []scanner.Hint
	var id, summary string
	switch p.Type {
	case "oidc":
		attrs["url"] = p.URL
		if len(p.ClientIDs) > 0 {
			attrs["client_ids"] = append([]string(nil), p.ClientIDs...)
		}
		if h := urlHost(p.URL); h != "" {
			hints = append(hints, scanner.Hint{Type: scanner.HintDomain, Value: h})
		}
		id = "aws:" + a.ID + ":oidc-provider/" + p.Name
		summary = fmt.Sprintf("OIDC identity provider %s in %s", p.URL, a.target())
	default:
		if p.EntityID != "" {
			attrs["entity_id"] = p.EntityID
		}
		if !p.ValidUntil.IsZero() {
			attrs["valid_until"] = rfc3339(p.ValidUntil)
		}
		hints = append(hints, scanner.Hint{Type: scanner.HintName, Value: p.Name})
		if h := urlHost(p.EntityID); h != "" {
			hints = append(hints, scanner.Hint{Type: scanner.HintDomain, Value: h})
		}
		id = "aws:" + a.ID + ":saml-provider/" + p.Name
		summary = fmt.Sprintf("SAML identity provider %s in %s", p.Name, a.target())
	}
	if tags := tagList(p.Tags); len(tags) > 0 {
		attrs["tags"] = tags
		hints = append(hints, tagNameHints(p.Tags)...)
	}
	return scanner.Record{Kind: scanner.KindIdentityProvider, ID: id, Summary: summary, Hints: dedupeHints(hints),
		FirstSeen: p.Created, Attributes: attrs}
}

// urlHost returns the lower-case host of a URL or bare host/path; "" when there is none.
func urlHost(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		if strings.HasPrefix(s, "urn:") {
			return ""
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// agreementRecord describes an AWS Marketplace purchase agreement. withAmount puts the agreement's contract
// value into Amount (when Cost Explorer is off, so that spend is not counted twice).
func agreementRecord(a account, ag agreement, withAmount bool) scanner.Record {
	attrs := baseAttrs(a)
	attrs["agreement_id"] = ag.ID
	attrs["source"] = "marketplace_agreement"
	setStr := func(k, v string) {
		if v != "" {
			attrs[k] = v
		}
	}
	setStr("agreement_type", ag.Type)
	setStr("status", ag.Status)
	setStr("seller_account_id", ag.ProposerID)
	setStr("acceptor_account_id", ag.AcceptorID)
	setStr("offer_id", ag.OfferID)
	setStr("acceptance_time", rfc3339(ag.AcceptanceTime))
	setStr("start_time", rfc3339(ag.StartTime))
	setStr("end_time", rfc3339(ag.EndTime))
	setStr("end_behavior", ag.EndBehavior)
	setStr("agreement_value", ag.Value)
	setStr("currency", ag.Currency)
	var ids, types []string
	for _, p := range ag.Products {
		ids = append(ids, p.ID)
		types = append(types, p.Type)
	}
	if len(ids) > 0 {
		attrs["product_ids"] = ids
		attrs["product_id"] = ids[0]
		attrs["product_type"] = types[0]
	}
	rec := scanner.Record{
		Kind:       scanner.KindSaaSSubscription,
		ID:         "aws:" + a.ID + ":marketplace-agreement/" + ag.ID,
		FirstSeen:  firstNonZero(ag.StartTime, ag.AcceptanceTime),
		LastSeen:   ag.LastUpdateTime,
		Attributes: attrs,
	}
	if ag.ProposerID != "" {
		rec.Hints = []scanner.Hint{{Type: scanner.HintAWSAccount, Value: ag.ProposerID}}
	}
	what := "product"
	if len(ids) > 0 {
		what = strings.TrimSuffix(types[0], "Product") + " product " + ids[0]
		what = strings.TrimSpace(what)
	}
	dates := ""
	if !ag.StartTime.IsZero() {
		dates = ", from " + ag.StartTime.UTC().Format("2006-01-02")
		if !ag.EndTime.IsZero() {
			dates += " to " + ag.EndTime.UTC().Format("2006-01-02")
		}
	}
	rec.Summary = fmt.Sprintf("AWS Marketplace agreement %s in %s for %s from seller account %s (%s%s)",
		ag.ID, a.target(), what, orDash(ag.ProposerID), orDash(ag.Status), dates)
	if withAmount {
		rec.Amount = agreementAmount(ag)
	}
	return rec
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// agreementAmount spreads a fixed-term agreement's value over its term: whole years as an annual amount, other
// terms as a monthly one. Pay-as-you-go agreements (no end, or no value) have no amount.
func agreementAmount(ag agreement) *scanner.Amount {
	v, err := strconv.ParseFloat(strings.TrimSpace(ag.Value), 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || ag.StartTime.IsZero() || !ag.EndTime.After(ag.StartTime) {
		return nil
	}
	cur := ag.Currency
	if cur == "" {
		cur = "USD"
	}
	months := math.Round(ag.EndTime.Sub(ag.StartTime).Hours() / (24 * 30.436875))
	if months < 1 {
		return &scanner.Amount{Value: v, Currency: cur, Period: scanner.PeriodOneTime}
	}
	if int(months)%12 == 0 {
		return &scanner.Amount{Value: round2(v / (months / 12)), Currency: cur, Period: scanner.PeriodAnnual}
	}
	return &scanner.Amount{Value: round2(v / months), Currency: cur, Period: scanner.PeriodMonthly}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// spendRecord describes a month of Marketplace charges for one product (from Cost Explorer).
func spendRecord(a account, s marketplaceSpend) scanner.Record {
	attrs := baseAttrs(a)
	attrs["source"] = "cost_explorer"
	attrs["product"] = s.Product
	attrs["period_start"] = s.Start
	attrs["period_end"] = s.End
	name := marketplaceProductName(s.Product)
	return scanner.Record{
		Kind: scanner.KindSaaSSubscription,
		ID:   "aws:" + a.ID + ":marketplace-spend/" + s.Product,
		Summary: fmt.Sprintf("AWS Marketplace charges for %s in %s: %.2f %s from %s to %s",
			s.Product, a.target(), s.Amount, s.Currency, s.Start, s.End),
		Hints:      []scanner.Hint{{Type: scanner.HintName, Value: name}},
		Amount:     &scanner.Amount{Value: round2(s.Amount), Currency: s.Currency, Period: scanner.PeriodMonthly},
		Attributes: attrs,
	}
}

var reProductSuffix = regexp.MustCompile(`\s*[(\[][^)\]]*[)\]]\s*$`)

// marketplaceProductName strips a listing suffix such as " (SaaS)" or " [Annual]" from a product title.
func marketplaceProductName(p string) string {
	n := strings.TrimSpace(p)
	for {
		m := reProductSuffix.ReplaceAllString(n, "")
		if m == n || m == "" {
			return n
		}
		n = m
	}
}

// resourceRecord describes a resource tagged as marketing's.
func resourceRecord(a account, r taggedResource, matched []string) scanner.Record {
	attrs := baseAttrs(a)
	attrs["arn"] = r.ARN
	svc, typ, region, name := splitARN(r.ARN)
	attrs["service"] = svc
	if typ != "" {
		attrs["resource_type"] = typ
	}
	if region != "" {
		attrs["region"] = region
	}
	attrs["tags"] = tagList(r.Tags)
	attrs["marketing_tags"] = matched
	what := svc
	if typ != "" {
		what += " " + typ
	}
	return scanner.Record{
		Kind:       scanner.KindCloudResource,
		ID:         "aws:" + a.ID + ":resource:" + r.ARN,
		Summary:    fmt.Sprintf("%s %s in %s tagged %s", what, name, a.target(), strings.Join(matched, ", ")),
		Hints:      dedupeHints(tagNameHints(r.Tags)),
		Attributes: attrs,
	}
}

// splitARN returns an ARN's service, resource type, region and resource name.
func splitARN(arn string) (service, typ, region, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "", "", "", arn
	}
	service, region, res := parts[2], parts[3], parts[5]
	if i := strings.IndexAny(res, "/:"); i >= 0 {
		return service, res[:i], region, res[i+1:]
	}
	return service, "", region, res
}
