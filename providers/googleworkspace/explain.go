package googleworkspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/shadowscan/shadowscan/providers/internal/httpx"
)

// setupError is an error that means the account is not set up for shadowscan; its message says what to fix.
type setupError struct {
	msg string
	err error
}

func (e *setupError) Error() string { return e.msg }
func (e *setupError) Unwrap() error { return e.err }

// delegationConsole is where an admin manages domain-wide delegation.
const delegationConsole = "Admin console › Security › Access and data control › API controls › Manage Domain Wide Delegation"

// explain turns the errors that mean "delegation not set up", "scope not granted", "API not enabled" or "admin
// lacks a privilege" into a sentence that says exactly what to fix. api names the call (users.list, tokens.list,
// activities.list). Other errors are returned as they are.
func (p *provider) explain(api string, err error) error {
	if err == nil {
		return nil
	}
	var se *setupError
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	wrap := func(format string, args ...any) error {
		return &setupError{msg: fmt.Sprintf(format, args...), err: err}
	}
	scopes := strings.Join(p.modeScopes(), ",")
	sa := p.saEmail
	if sa == "" {
		sa = "the service account"
	}
	client := p.saClientID
	if client == "" {
		client = "<the unique ID of " + sa + ", shown in Google Cloud console › IAM & Admin › Service accounts>"
	}

	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code, desc := re.ErrorCode, re.ErrorDescription
		if code == "" {
			// The JWT flow of x/oauth2 leaves the RFC 6749 fields to the body.
			var body struct {
				Error            string `json:"error"`
				ErrorDescription string `json:"error_description"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				code, desc = body.Error, body.ErrorDescription
			}
			if code == "" && re.Response != nil {
				code = re.Response.Status
			}
		}
		switch {
		case code == "unauthorized_client" || strings.Contains(desc, "not authorized for any of the scopes"):
			return wrap("domain-wide delegation is not set up for %s, or not for every scope shadowscan asks for: in the %s, add client ID %s with exactly these scopes: %s (a new or changed entry can take a few minutes, at worst 24 hours, to apply) [token endpoint: %s %s]",
				sa, delegationConsole, client, scopes, code, desc)
		case code == "invalid_grant" && (strings.Contains(desc, "email") || strings.Contains(desc, "User ID") || strings.Contains(desc, "subject")):
			return wrap("admin_email %q is not an active user of this Workspace account (token endpoint: %s): set admin_email to an admin in the account, a super admin or one with a role that can read users, user security and reports",
				p.cfg.AdminEmail, desc)
		case code == "invalid_grant" && strings.Contains(strings.ToLower(desc), "signature"):
			return wrap("the key of %s was deleted or disabled (token endpoint: %s): create a new key for credentials_file, or better, switch to keyless impersonation (impersonate_service_account)", sa, desc)
		case code == "access_denied" || code == "admin_policy_enforced":
			return wrap("the Workspace account refused a token for admin_email %q (%s: %s): check in the Admin console › Security › Access and data control › API controls that the app (client ID %s) is not blocked and that %s is allowed",
				p.cfg.AdminEmail, code, desc, client, scopes)
		}
		return fmt.Errorf("getting an access token for %s as %s: %s %s", sa, p.cfg.AdminEmail, code, desc)
	}

	var sj *signJWTError
	if errors.As(err, &sj) {
		switch {
		case sj.Reason == "SERVICE_DISABLED" || strings.Contains(sj.Message, "has not been used") || strings.Contains(sj.Message, "is disabled"):
			return wrap("the IAM Service Account Credentials API is not enabled: enable iamcredentials.googleapis.com in the Google Cloud project of %s (IAM Credentials: %s)", sa, sj.Message)
		case sj.Status == http.StatusForbidden || sj.Status == http.StatusUnauthorized:
			return wrap("the Application Default Credentials may not sign JWTs as %s: grant them the role Service Account Token Creator (roles/iam.serviceAccountTokenCreator) on that service account only (IAM Credentials: %s)", sa, sj.Message)
		case sj.Status == http.StatusNotFound:
			return wrap("impersonate_service_account: service account %s does not exist (IAM Credentials: %s)", sa, sj.Message)
		}
		return err
	}

	var gu *httpx.GaveUpError
	if errors.As(err, &gu) {
		return fmt.Errorf("%s: %w", api, gu)
	}

	var ge *googleapi.Error
	if errors.As(err, &ge) {
		reasons := map[string]bool{}
		for _, e := range ge.Errors {
			reasons[e.Reason] = true
		}
		body := ge.Body + " " + ge.Message
		switch {
		case reasons["accessNotConfigured"] || strings.Contains(body, "SERVICE_DISABLED") || strings.Contains(body, "has not been used in project"):
			return wrap("%s: the Admin SDK API is not enabled in the Google Cloud project of %s: enable admin.googleapis.com there (APIs & Services › Library › Admin SDK API)", api, sa)
		case strings.Contains(body, "insufficient authentication scopes") || strings.Contains(body, "ACCESS_TOKEN_SCOPE_INSUFFICIENT") || reasons["insufficientPermissions"]:
			return wrap("%s: the access token lacks the scope %s: in the %s, make the entry of client ID %s list exactly these scopes: %s",
				api, scopeOf(api), delegationConsole, client, scopes)
		case ge.Code == http.StatusUnauthorized:
			return wrap("%s: Google rejected the credentials (401 %s): check the domain-wide delegation entry of client ID %s in the %s and that admin_email %q is an active admin",
				api, ge.Message, client, delegationConsole, p.cfg.AdminEmail)
		case ge.Code == http.StatusForbidden:
			return wrap("%s: admin_email %q is not allowed to %s (403 %s): make it a super admin, or give it an admin role with the Admin API privilege %s, and check the delegation entry of client ID %s lists %s",
				api, p.cfg.AdminEmail, whatOf(api), ge.Message, privilegeOf(api), client, scopeOf(api))
		case ge.Code == http.StatusBadRequest && api == "users.list":
			return wrap("users.list: customer %q or domain %q is not valid (400 %s): use my_customer, or the customer ID from Admin console › Account › Account settings",
				p.cfg.Customer, p.cfg.Domain, ge.Message)
		case ge.Code == http.StatusNotFound && api == "users.list":
			return wrap("users.list: %s (404): check domain %q and customer %q", ge.Message, p.cfg.Domain, p.cfg.Customer)
		}
		return fmt.Errorf("%s: %d %s", api, ge.Code, firstNonEmpty(ge.Message, http.StatusText(ge.Code)))
	}
	if isMalformed(err) {
		return fmt.Errorf("%s: malformed JSON response: %v", api, err)
	}
	return fmt.Errorf("%s: %w", api, err)
}

// isMalformed reports whether err is a response body that is not the JSON the client expected.
func isMalformed(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF)
}

// refusedPerUser reports whether err is a plain 403 (not a missing scope, a disabled API or bad credentials), which
// a delegated admin gets for a user outside the organisational units it manages.
func refusedPerUser(err error) bool {
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusForbidden {
		return false
	}
	body := ge.Body + " " + ge.Message
	for _, e := range ge.Errors {
		if e.Reason == "insufficientPermissions" || e.Reason == "accessNotConfigured" {
			return false
		}
	}
	return !strings.Contains(body, "insufficient authentication scopes") && !strings.Contains(body, "ACCESS_TOKEN_SCOPE_INSUFFICIENT") &&
		!strings.Contains(body, "SERVICE_DISABLED")
}

// isSetup reports whether err means the account is not set up (it will fail the same way for every user).
func isSetup(err error) bool {
	var se *setupError
	return errors.As(err, &se)
}

// httpStatus is the HTTP status of a Google API error, or 0.
func httpStatus(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

func scopeOf(api string) string {
	switch api {
	case "tokens.list":
		return ScopeUserSecurity
	case "activities.list":
		return ScopeAuditReadonly
	}
	return ScopeUserReadonly
}

func whatOf(api string) string {
	switch api {
	case "tokens.list":
		return "read users' OAuth tokens"
	case "activities.list":
		return "read the token audit log"
	}
	return "list users"
}

func privilegeOf(api string) string {
	switch api {
	case "tokens.list":
		return "Users › Read together with the user security settings privilege (Security › User Security Management)"
	case "activities.list":
		return "Reports"
	}
	return "Users › Read"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
