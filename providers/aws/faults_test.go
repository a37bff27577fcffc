package aws

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/faulttest"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestFaultMatrix runs the shared fault table (providers/internal/faulttest) against the AWS fake: the faults hit
// page 2 of GetAccountAuthorizationDetails in the marketing account (the roles and users everything in IAM hangs
// on); access denied refuses AssumeRole into the sandbox account.
func TestFaultMatrix(t *testing.T) {
	var fake *fakeAWS // the current case's
	faulttest.RunHTTP(t, faulttest.HTTP{
		Fake: func(t *testing.T, _ *faulttest.Case) http.Handler {
			fake = newNorthwind(t)
			fake.deny = map[string]bool{} // the fixture's own refusals would make the clean run partial
			return fake
		},
		Target: func(r *http.Request, body []byte) bool {
			acct, _ := fake.caller(r)
			form, _ := url.ParseQuery(string(body))
			return acct == acctMarketing && form.Get("Action") == "GetAccountAuthorizationDetails" && form.Get("Marker") == "tok-2"
		},
		Denied: func(r *http.Request, body []byte) bool {
			form, _ := url.ParseQuery(string(body))
			return form.Get("Action") == "AssumeRole" && strings.Contains(form.Get("RoleArn"), "::"+acctSandbox+":")
		},
		DeniedWords: []string{acctSandbox, "northwind-sandbox", "AssumeRole"},
		ErrorBody: func(status int) (string, string) {
			code := map[int]string{429: "Throttling", 503: "ServiceUnavailable", 500: "InternalFailure", 403: "AccessDenied"}[status]
			return "text/xml", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + el("ErrorResponse",
				el("Error", tx("Type", "Sender"), tx("Code", code), tx("Message", http.StatusText(status))), tx("RequestId", "req-1"))
		},
		MalformedBody: func(*http.Request) (string, string) {
			return "text/xml", `<?xml version="1.0" encoding="UTF-8"?>` + "\n<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult><UserDetailList><mem"
		},
		RepeatToken: func(_ *http.Request, reqBody, body []byte) []byte {
			form, _ := url.ParseQuery(string(reqBody))
			return reMarker.ReplaceAll(body, []byte("<Marker>"+form.Get("Marker")+"</Marker>"))
		},
		Served: func(r *http.Request, reqBody, body []byte) []string {
			acct, _ := fake.caller(r)
			op := awsOp(r, reqBody)
			out := []string{"op:" + acct + ":" + op}
			if op == "GetAccountAuthorizationDetails" {
				var d struct {
					Roles []string `xml:"GetAccountAuthorizationDetailsResult>RoleDetailList>member>RoleName"`
					Users []string `xml:"GetAccountAuthorizationDetailsResult>UserDetailList>member>UserName"`
				}
				if err := xml.Unmarshal(body, &d); err == nil {
					for _, n := range d.Roles {
						out = append(out, "role:"+acct+":"+n)
					}
					for _, n := range d.Users {
						out = append(out, "user:"+acct+":"+n)
					}
				}
			}
			return out
		},
		Sources: awsSources,
		Run: func(t *testing.T, ctx context.Context, srvURL string, client *http.Client) faulttest.Outcome {
			cfg := NewConfig()
			cfg.Regions = []string{"us-east-1", "eu-west-1"}
			cfg.EndpointURL = srvURL
			cfg.Organization.Enabled = true
			cfg.Organization.ExternalID = "nw-org-scan"
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			diag := &scanner.Diagnostics{}
			awsCfg := aws.Config{
				Region:      "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider(baseAccessKey, "fake-secret", ""),
				HTTPClient:  client,
				Retryer:     func() aws.Retryer { return newRetryer(cfg.MaxAttempts, time.Millisecond) },
			}
			d := scanner.Deps{Name: "aws-org", Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
				Diagnostics: diag, Now: nowFn,
				Org: scanner.Organization{Name: "Northwind Outfitters", Domains: []string{"northwind.example"},
					Marketing: scanner.Marketing{AWSTags: marketingTagsCfg}}}
			p := newProvider(cfg, d, func(context.Context) (aws.Config, error) { return awsCfg, nil })
			return faulttest.Collect(ctx, p, diag)
		},
	})
}

var (
	reMarker   = regexp.MustCompile(`<Marker>[^<]*</Marker>`)
	reRecordID = regexp.MustCompile(`^aws:(\d{12}):([a-z0-9-]+)/([^:/]+)`)
)

// awsOp names the operation of a request in any of the fake's protocols.
func awsOp(r *http.Request, body []byte) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/service/"):
		return r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	case r.Header.Get("X-Amz-Target") != "":
		_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		return op
	case strings.HasPrefix(r.URL.Path, "/2013-04-01/"):
		return "route53"
	}
	form, _ := url.ParseQuery(string(body))
	return form.Get("Action")
}

// awsSources names what a record is built from: the role or user (from GetAccountAuthorizationDetails) and the
// listing of the kind of thing it is.
func awsSources(r scanner.Record) []string {
	m := reRecordID.FindStringSubmatch(r.ID)
	if m == nil {
		return nil
	}
	acct, kind, name := m[1], m[2], m[3]
	switch kind {
	case "role":
		return []string{"role:" + acct + ":" + name}
	case "user":
		return []string{"user:" + acct + ":" + name, "op:" + acct + ":ListAccessKeys"}
	case "oidc-provider":
		return []string{"op:" + acct + ":ListOpenIDConnectProviders"}
	case "saml-provider":
		return []string{"op:" + acct + ":ListSAMLProviders"}
	case "marketplace-agreement":
		return []string{"op:" + acct + ":SearchAgreements"}
	}
	return nil
}
