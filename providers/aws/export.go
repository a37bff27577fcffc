package aws

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// Export mode reads what the AWS CLI prints, so that a scan needs no credentials at scan time:
//
//	aws iam get-account-authorization-details --filter Role User  > iam-authorization-details.json
//	aws iam generate-credential-report; aws iam get-credential-report > iam-credential-report.json
//	aws route53 list-resource-record-sets --hosted-zone-id Z…       > route53-example.com.json
//	aws marketplace-agreement search-agreements --catalog AWSMarketplace \
//	    --filters name=PartyType,values=Acceptor name=AgreementType,values=PurchaseAgreement > agreements.json

// maxExportBytes bounds one export file.
const maxExportBytes = 256 << 20

// cliTime is a timestamp as the AWS CLI prints it ("2024-01-02T03:04:05+00:00", with or without fractions, "Z",
// or epoch seconds).
type cliTime struct{ time.Time }

var cliTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05", "2006-01-02"}

func (t *cliTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] != '"' {
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil || f < 0 || f > 1e11 {
			return fmt.Errorf("timestamp %s: want an ISO 8601 string or epoch seconds", b)
		}
		t.Time = time.Unix(0, int64(f*1e9)).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	tt, err := parseCLITime(s)
	if err != nil {
		return err
	}
	t.Time = tt
	return nil
}

func parseCLITime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "N/A") || strings.EqualFold(s, "no_information") || strings.EqualFold(s, "not_supported") {
		return time.Time{}, nil
	}
	for _, l := range cliTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not ISO 8601", s)
}

type cliTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func cliTags(ts []cliTag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// cliAuthDetails is `aws iam get-account-authorization-details` output.
type cliAuthDetails struct {
	UserDetailList []struct {
		UserName   string   `json:"UserName"`
		Arn        string   `json:"Arn"`
		CreateDate cliTime  `json:"CreateDate"`
		Tags       []cliTag `json:"Tags"`
	} `json:"UserDetailList"`
	RoleDetailList []struct {
		RoleName                 string          `json:"RoleName"`
		Path                     string          `json:"Path"`
		Arn                      string          `json:"Arn"`
		CreateDate               cliTime         `json:"CreateDate"`
		AssumeRolePolicyDocument json.RawMessage `json:"AssumeRolePolicyDocument"`
		Tags                     []cliTag        `json:"Tags"`
		RoleLastUsed             *struct {
			LastUsedDate cliTime `json:"LastUsedDate"`
			Region       string  `json:"Region"`
		} `json:"RoleLastUsed"`
	} `json:"RoleDetailList"`
}

// parseAuthorizationDetails reads get-account-authorization-details output.
func parseAuthorizationDetails(name string, data []byte) ([]iamRole, []iamUser, error) {
	var d cliAuthDetails
	if err := decodeJSON(name, data, &d); err != nil {
		return nil, nil, err
	}
	var roles []iamRole
	for i, r := range d.RoleDetailList {
		if r.RoleName == "" {
			return nil, nil, fmt.Errorf("%s: RoleDetailList[%d]: no RoleName", name, i)
		}
		role := iamRole{ARN: r.Arn, Name: r.RoleName, Path: r.Path, TrustPolicy: r.AssumeRolePolicyDocument,
			Created: r.CreateDate.Time, Tags: cliTags(r.Tags)}
		if r.RoleLastUsed != nil {
			role.LastUsed, role.LastUsedRegion = r.RoleLastUsed.LastUsedDate.Time, r.RoleLastUsed.Region
		}
		roles = append(roles, role)
	}
	var users []iamUser
	for i, u := range d.UserDetailList {
		if u.UserName == "" {
			return nil, nil, fmt.Errorf("%s: UserDetailList[%d]: no UserName", name, i)
		}
		users = append(users, iamUser{ARN: u.Arn, Name: u.UserName, Created: u.CreateDate.Time, Tags: cliTags(u.Tags)})
	}
	return roles, users, nil
}

// parseCredentialReport reads `aws iam get-credential-report` output (JSON with base64 Content) or the CSV
// itself, and returns the active access keys.
func parseCredentialReport(name string, data []byte) ([]accessKey, error) {
	csvData := data
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var w struct {
			Content      string `json:"Content"`
			ReportFormat string `json:"ReportFormat"`
		}
		if err := decodeJSON(name, data, &w); err != nil {
			return nil, err
		}
		if w.ReportFormat != "" && !strings.EqualFold(w.ReportFormat, "text/csv") {
			return nil, fmt.Errorf("%s: ReportFormat %q, want text/csv", name, w.ReportFormat)
		}
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(w.Content))
		if err != nil {
			return nil, fmt.Errorf("%s: Content is not base64: %w", name, err)
		}
		csvData = dec
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: credential report header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"user", "arn", "access_key_1_active", "access_key_1_last_rotated"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: credential report has no %q column", name, need)
		}
	}
	var keys []accessKey
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err) // a csv.ParseError names the line
		}
		line := 0
		if len(rec) > 0 {
			line, _ = r.FieldPos(0)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		user := get("user")
		if user == "" {
			return nil, fmt.Errorf("%s:%d: empty user", name, line)
		}
		if user == "<root_account>" {
			continue // the root user's keys are a security matter, not a vendor integration
		}
		for slot := 1; slot <= 2; slot++ {
			p := "access_key_" + strconv.Itoa(slot) + "_"
			if !strings.EqualFold(get(p+"active"), "true") {
				continue
			}
			k := accessKey{UserName: user, UserARN: get("arn"), Slot: slot, Status: "Active",
				LastUsedService: naToEmpty(get(p + "last_used_service")), LastUsedRegion: naToEmpty(get(p + "last_used_region"))}
			if k.Created, err = parseCLITime(get(p + "last_rotated")); err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, line, p+"last_rotated", err)
			}
			if k.LastUsed, err = parseCLITime(get(p + "last_used_date")); err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, line, p+"last_used_date", err)
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// cliRecordSets is `aws route53 list-resource-record-sets` output.
type cliRecordSets struct {
	ResourceRecordSets []struct {
		Name            string `json:"Name"`
		Type            string `json:"Type"`
		TTL             int64  `json:"TTL"`
		ResourceRecords []struct {
			Value string `json:"Value"`
		} `json:"ResourceRecords"`
		AliasTarget *struct {
			DNSName string `json:"DNSName"`
		} `json:"AliasTarget"`
	} `json:"ResourceRecordSets"`
}

func parseRecordSets(name string, data []byte) ([]recordSet, error) {
	var d cliRecordSets
	if err := decodeJSON(name, data, &d); err != nil {
		return nil, err
	}
	if d.ResourceRecordSets == nil {
		return nil, fmt.Errorf("%s: no ResourceRecordSets (is this list-resource-record-sets output?)", name)
	}
	out := make([]recordSet, 0, len(d.ResourceRecordSets))
	for i, rs := range d.ResourceRecordSets {
		if rs.Name == "" || rs.Type == "" {
			return nil, fmt.Errorf("%s: ResourceRecordSets[%d]: Name and Type are required", name, i)
		}
		r := recordSet{Name: rs.Name, Type: rs.Type, TTL: rs.TTL}
		for _, v := range rs.ResourceRecords {
			r.Values = append(r.Values, v.Value)
		}
		if rs.AliasTarget != nil {
			r.Alias = rs.AliasTarget.DNSName
		}
		out = append(out, r)
	}
	return out, nil
}

// cliAgreements is `aws marketplace-agreement search-agreements` output (the API's camelCase member names).
type cliAgreements struct {
	AgreementViewSummaries []struct {
		AgreementID         string  `json:"agreementId"`
		AgreementType       string  `json:"agreementType"`
		Status              string  `json:"status"`
		AcceptanceTime      cliTime `json:"acceptanceTime"`
		StartTime           cliTime `json:"startTime"`
		EndTime             cliTime `json:"endTime"`
		LastUpdateTime      cliTime `json:"lastUpdateTime"`
		EndTimeBehaviorType string  `json:"endTimeBehaviorType"`
		Acceptor            *struct {
			AccountID string `json:"accountId"`
		} `json:"acceptor"`
		Proposer *struct {
			AccountID string `json:"accountId"`
		} `json:"proposer"`
		ProposalSummary *struct {
			OfferID   string `json:"offerId"`
			Resources []struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"resources"`
		} `json:"proposalSummary"`
	} `json:"agreementViewSummaries"`
}

func parseAgreements(name string, data []byte) ([]agreement, error) {
	var d cliAgreements
	if err := decodeJSON(name, data, &d); err != nil {
		return nil, err
	}
	var out []agreement
	for i, v := range d.AgreementViewSummaries {
		if v.AgreementID == "" {
			return nil, fmt.Errorf("%s: agreementViewSummaries[%d]: no agreementId", name, i)
		}
		ag := agreement{ID: v.AgreementID, Type: v.AgreementType, Status: v.Status, AcceptanceTime: v.AcceptanceTime.Time,
			StartTime: v.StartTime.Time, EndTime: v.EndTime.Time, LastUpdateTime: v.LastUpdateTime.Time,
			EndBehavior: v.EndTimeBehaviorType}
		if v.Acceptor != nil {
			ag.AcceptorID = v.Acceptor.AccountID
		}
		if v.Proposer != nil {
			ag.ProposerID = v.Proposer.AccountID
		}
		if v.ProposalSummary != nil {
			ag.OfferID = v.ProposalSummary.OfferID
			for _, r := range v.ProposalSummary.Resources {
				ag.Products = append(ag.Products, product{ID: r.ID, Type: r.Type})
			}
		}
		out = append(out, ag)
	}
	return out, nil
}

// decodeJSON decodes data into v; errors name the file and the line:column.
func decodeJSON(name string, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: empty file", name)
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := lineCol(data, se.Offset-1) // Offset is just past the offending byte
		return fmt.Errorf("%s:%d:%d: %v", name, l, c, se)
	case errors.As(err, &te):
		l, c := lineCol(data, valueStart(data, te.Offset))
		return fmt.Errorf("%s:%d:%d: %s: want %s, got JSON %s", name, l, c, te.Field, te.Type, te.Value)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// valueStart finds where the JSON scalar ending just before end begins (the decoder reports the end).
func valueStart(data []byte, end int64) int64 {
	if end <= 0 || end > int64(len(data)) {
		return end
	}
	i := end - 1
	if data[i] == '"' {
		for j := i - 1; j >= 0; j-- {
			if data[j] == '"' && (j == 0 || data[j-1] != '\\') {
				return j
			}
		}
		return end
	}
	for i > 0 && !strings.ContainsRune(",:[{ \t\r\n", rune(data[i-1])) {
		i--
	}
	return i
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func readExport(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxExportBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, maxExportBytes>>20)
	}
	return data, nil
}

var reARNAccount = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):`)

// collectExport emits the records of the configured export files. A file that cannot be read is recorded and the
// others go on; if none can be read, Collect fails.
func (p *provider) collectExport(ctx context.Context, em *scanner.Emitter) error {
	e := p.cfg.Export
	diag := p.d.Diagnostics
	files, failed := 0, 0
	fail := func(api, file string, err error) {
		failed++
		p.log.Warn().Str("file", file).Err(err).Msg("export file not readable")
		diag.Error(api, file, err)
	}
	read := func(api, file string) []byte {
		files++
		data, err := readExport(file)
		if err != nil {
			fail(api, file, err)
			return nil
		}
		return data
	}

	cnames, err := p.newCNAMEChecker()
	if err != nil {
		return err
	}
	defer cnames.stats(p)

	var roles []iamRole
	users := map[string]*iamUser{}
	for _, f := range e.IAMAuthorizationDetails {
		data := read("iam:GetAccountAuthorizationDetails (export)", f)
		if data == nil {
			continue
		}
		rs, us, err := parseAuthorizationDetails(f, data)
		if err != nil {
			fail("iam:GetAccountAuthorizationDetails (export)", f, err)
			continue
		}
		roles = append(roles, rs...)
		for i := range us {
			users[us[i].Name] = &us[i]
		}
	}
	var keys []accessKey
	for _, f := range e.IAMCredentialReports {
		data := read("iam:GetCredentialReport (export)", f)
		if data == nil {
			continue
		}
		ks, err := parseCredentialReport(f, data)
		if err != nil {
			fail("iam:GetCredentialReport (export)", f, err)
			continue
		}
		keys = append(keys, ks...)
	}

	a := account{ID: e.AccountID, Name: e.AccountName}
	if a.ID == "" {
		for _, arn := range exportARNs(roles, users, keys) {
			if m := reARNAccount.FindStringSubmatch(arn); m != nil {
				a.ID = m[1]
				break
			}
		}
	}
	if a.ID == "" {
		a.ID = "unknown"
	}
	internal := func(acct string) bool { return acct == a.ID }
	now := p.now()

	trusts := 0
	for _, r := range roles {
		res, err := trustRecords(a, r, internal, now)
		if err != nil {
			diag.Error("iam:GetAccountAuthorizationDetails (export)", a.target(), fmt.Errorf("trust policy not readable: %w", err))
			continue
		}
		trusts += len(res.Records)
		for _, rec := range res.Records {
			if err := em.Send(rec); err != nil {
				return err
			}
		}
	}
	for _, k := range keys {
		u := users[k.UserName]
		if k.UserARN == "" && u != nil {
			k.UserARN = u.ARN
		}
		if err := em.Send(credentialRecord(a, k, u, now)); err != nil {
			return err
		}
	}
	if len(e.IAMAuthorizationDetails) > 0 && len(e.IAMCredentialReports) == 0 && len(users) > 0 {
		diag.Skip("IAM access keys: export.iam_credential_reports not set (get-account-authorization-details has no keys)")
	}

	for _, z := range e.Route53RecordSets {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		data := read("route53:ListResourceRecordSets (export)", z.File)
		if data == nil {
			continue
		}
		sets, err := parseRecordSets(z.File, data)
		if err != nil {
			fail("route53:ListResourceRecordSets (export)", z.File, err)
			continue
		}
		hz := hostedZone{ID: dnssignal.Norm(z.Zone), Name: dnssignal.Norm(z.Zone), Private: z.Private}
		recs := zoneRecords(a, hz, sets)
		if err := cnames.check(ctx, hz, recs); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			p.log.Warn().Str("zone", hz.Name).Err(err).Msg("CNAME targets not checked; coverage partial")
			diag.Error("dns:CNAME targets", z.File, err)
		}
		for _, rec := range recs {
			if err := em.Send(rec); err != nil {
				return err
			}
		}
	}

	for _, f := range e.MarketplaceAgreements {
		data := read("aws-marketplace:SearchAgreements (export)", f)
		if data == nil {
			continue
		}
		ags, err := parseAgreements(f, data)
		if err != nil {
			fail("aws-marketplace:SearchAgreements (export)", f, err)
			continue
		}
		for _, ag := range ags {
			if err := em.Send(agreementRecord(a, ag, false)); err != nil {
				return err
			}
		}
	}
	diag.Skip("OIDC and SAML identity providers: not in AWS CLI exports")
	diag.Skip("marketing-tagged resources: not read in export mode")
	p.log.Debug().Str("account", a.ID).Int("roles", len(roles)).Int("external_trusts", trusts).
		Int("active_keys", len(keys)).Int("zones", len(e.Route53RecordSets)).Msg("exports read")
	if files > 0 && failed >= files {
		return fmt.Errorf("no export file could be read (%d files)", files)
	}
	return nil
}

func exportARNs(roles []iamRole, users map[string]*iamUser, keys []accessKey) []string {
	var out []string
	for _, r := range roles {
		out = append(out, r.ARN)
	}
	for _, k := range keys {
		out = append(out, k.UserARN)
	}
	var us []string
	for _, u := range users {
		us = append(us, u.ARN)
	}
	sort.Strings(us)
	return append(out, us...)
}
