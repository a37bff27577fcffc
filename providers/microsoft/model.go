package microsoft

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The Graph resources the provider reads, with the fields it selects. encoding/json matches field names without
// regard to case, so the same types read Graph's camelCase and Graph PowerShell's PascalCase (ConvertTo-Json).

// servicePrincipal is one servicePrincipals entry.
type servicePrincipal struct {
	ID                     string          `json:"id"`
	AppID                  string          `json:"appId"`
	DisplayName            string          `json:"displayName"`
	AppOwnerOrganizationID string          `json:"appOwnerOrganizationId"`
	PublisherName          string          `json:"publisherName"`
	VerifiedPublisher      json.RawMessage `json:"verifiedPublisher"`
	ServicePrincipalType   string          `json:"servicePrincipalType"`
	AccountEnabled         *bool           `json:"accountEnabled"`
	CreatedDateTime        graphTime       `json:"createdDateTime"`
	Tags                   []string        `json:"tags"`
	Homepage               string          `json:"homepage"`
	ReplyURLs              []string        `json:"replyUrls"`
	AppRoles               []appRole       `json:"appRoles"`
	// AdditionalProperties is where Graph PowerShell puts properties its model lacks (createdDateTime on some
	// versions).
	AdditionalProperties map[string]json.RawMessage `json:"additionalProperties"`
}

// spSelect is the $select of servicePrincipals: what the records need, and appRoles to name app-only permissions.
const spSelect = "id,appId,displayName,appOwnerOrganizationId,publisherName,verifiedPublisher,servicePrincipalType," +
	"accountEnabled,createdDateTime,tags,homepage,replyUrls,appRoles"

// appRole is a permission an API (resource service principal) offers to applications.
type appRole struct {
	ID          string `json:"id"`
	Value       string `json:"value"`
	DisplayName string `json:"displayName"`
}

// verified returns the verified publisher's name and whether the publisher is verified. Graph sends an object
// whose verifiedPublisherId is empty when unverified; PowerShell at too small a -Depth sends the type name.
func (sp *servicePrincipal) verified() (string, bool) {
	var v struct {
		DisplayName         string `json:"displayName"`
		VerifiedPublisherID string `json:"verifiedPublisherId"`
	}
	if len(sp.VerifiedPublisher) == 0 || json.Unmarshal(sp.VerifiedPublisher, &v) != nil {
		return "", false
	}
	return v.DisplayName, strings.TrimSpace(v.VerifiedPublisherID) != ""
}

// grant is one oauth2PermissionGrants entry: delegated permissions of a client app to a resource API.
type grant struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`    // object ID of the client service principal
	ConsentType string `json:"consentType"` // AllPrincipals or Principal
	PrincipalID string `json:"principalId"` // the user, for Principal
	ResourceID  string `json:"resourceId"`  // object ID of the resource service principal
	Scope       string `json:"scope"`       // space-separated permission names
}

// Consent types.
const (
	ConsentAllPrincipals = "AllPrincipals"
	ConsentPrincipal     = "Principal"
	ConsentApplication   = "Application" // app-only permissions (app role assignments), shadowscan's own label
)

// appRoleAssignment is one servicePrincipals/{id}/appRoleAssignments entry: an app-only permission.
type appRoleAssignment struct {
	ID                  string    `json:"id"`
	AppRoleID           string    `json:"appRoleId"`
	PrincipalID         string    `json:"principalId"` // the client service principal
	PrincipalType       string    `json:"principalType"`
	ResourceID          string    `json:"resourceId"`
	ResourceDisplayName string    `json:"resourceDisplayName"`
	CreatedDateTime     graphTime `json:"createdDateTime"`
}

const assignmentSelect = "id,appRoleId,principalId,principalType,resourceId,resourceDisplayName,createdDateTime"

// user is a directory user, as far as a grant's attribution needs.
type user struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
	Mail              string `json:"mail"`
	Department        string `json:"department"`
	UsageLocation     string `json:"usageLocation"`
	AccountEnabled    *bool  `json:"accountEnabled"`
	ODataType         string `json:"@odata.type"`
}

const userSelect = "id,userPrincipalName,displayName,mail,department,usageLocation,accountEnabled"

// signInActivity is one beta reports/servicePrincipalSignInActivities entry.
type signInActivity struct {
	AppID              string `json:"appId"`
	LastSignInActivity struct {
		LastSignInDateTime graphTime `json:"lastSignInDateTime"`
	} `json:"lastSignInActivity"`
}

// directoryAudit is one auditLogs/directoryAudits entry.
type directoryAudit struct {
	ID                  string    `json:"id"`
	ActivityDateTime    graphTime `json:"activityDateTime"`
	ActivityDisplayName string    `json:"activityDisplayName"`
	Result              string    `json:"result"`
	InitiatedBy         struct {
		User *struct {
			ID                string `json:"id"`
			UserPrincipalName string `json:"userPrincipalName"`
		} `json:"user"`
		App *struct {
			DisplayName string `json:"displayName"`
		} `json:"app"`
	} `json:"initiatedBy"`
	TargetResources []struct {
		ID                 string `json:"id"`
		DisplayName        string `json:"displayName"`
		Type               string `json:"type"`
		ModifiedProperties []struct {
			DisplayName string `json:"displayName"`
			NewValue    string `json:"newValue"`
		} `json:"modifiedProperties"`
	} `json:"targetResources"`
}

// Consent activities in the directory audit log.
var consentActivities = []string{"Consent to application", "Add delegated permission grant",
	"Add app role assignment to service principal"}

// graphTime reads Graph's ISO 8601 times and Windows PowerShell's "/Date(1700000000000)/".
type graphTime struct{ time.Time }

func (t *graphTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil || s == "" {
		// null, a number or an object: no time (never an error, so one odd field does not lose a record).
		t.Time = time.Time{}
		return nil
	}
	if strings.HasPrefix(s, "/Date(") && strings.HasSuffix(s, ")/") {
		ms := strings.TrimSuffix(strings.TrimPrefix(s, "/Date("), ")/")
		if i := strings.IndexAny(ms[1:], "+-"); i >= 0 {
			ms = ms[:i+1]
		}
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			t.Time = time.UnixMilli(n).UTC()
		}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "1/2/2006 3:04:05 PM", "2006-01-02"} {
		if x, err := time.Parse(layout, s); err == nil {
			t.Time = x.UTC()
			return nil
		}
	}
	return nil
}
