package policy

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestScopeClass(t *testing.T) {
	for scope, want := range map[string]string{
		"https://mail.google.com/":                             ClassRestricted,
		"https://www.googleapis.com/auth/gmail.readonly":       ClassRestricted,
		"https://www.googleapis.com/auth/gmail.metadata":       ClassRestricted,
		"https://www.googleapis.com/auth/drive":                ClassRestricted,
		"https://www.googleapis.com/auth/drive.readonly":       ClassRestricted,
		"https://www.googleapis.com/auth/fitness.sleep.read":   ClassRestricted,
		"https://www.googleapis.com/auth/drive.file":           ClassLow,
		"https://www.googleapis.com/auth/drive.appdata":        ClassUnknown,
		"https://www.googleapis.com/auth/gmail.send":           ClassSensitive,
		"https://www.googleapis.com/auth/gmail.labels":         ClassLow,
		"https://www.googleapis.com/auth/calendar":             ClassSensitive,
		"https://www.googleapis.com/auth/calendar.events":      ClassSensitive,
		"https://www.googleapis.com/auth/contacts.readonly":    ClassSensitive,
		"https://www.googleapis.com/auth/admin.directory.user": ClassHigh,
		"https://www.googleapis.com/auth/userinfo.email":       ClassLow,
		"openid":                ClassLow,
		"email":                 ClassLow,
		"Mail.Read":             ClassRestricted,
		"Mail.ReadWrite.Shared": ClassRestricted,
		"https://graph.microsoft.com/Mail.ReadWrite": ClassRestricted,
		"Mail.ReadBasic":            ClassSensitive,
		"Mail.ReadBasic.All":        ClassSensitive,
		"Mail.Send":                 ClassHigh,
		"Files.Read.All":            ClassRestricted,
		"Sites.FullControl.All":     ClassRestricted,
		"Contacts.Read":             ClassHigh,
		"MailboxSettings.ReadWrite": ClassHigh,
		"Directory.ReadWrite.All":   ClassHigh,
		"Directory.Read.All":        ClassUnknown,
		"Calendars.Read":            ClassSensitive,
		"User.Read":                 ClassLow,
		"offline_access":            ClassLow,
		"":                          ClassUnknown,
		"https://example.com/scope": ClassUnknown,
	} {
		if got := ScopeClass(scope); got != want {
			t.Errorf("ScopeClass(%q) = %s, want %s", scope, got, want)
		}
	}
	for _, e := range scopeTable {
		if e.source == "" || !slices.Contains(ScopeClasses, e.class) || e.name != strings.ToLower(e.name) {
			t.Errorf("bad table row %+v", e)
		}
	}
}

func TestCeiling(t *testing.T) {
	ceiling := []string{"openid", "email", "profile", "userinfo.*", "calendar.*"}
	scopes := []string{"openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/calendar.events",
		"https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/gmail.readonly"}
	if WithinCeiling(scopes, ceiling) {
		t.Error("within")
	}
	if got := BeyondCeiling(scopes, ceiling); !reflect.DeepEqual(got, []string{"drive", "gmail.readonly"}) {
		t.Errorf("beyond = %v", got)
	}
	if !WithinCeiling(scopes[:3], ceiling) || !WithinCeiling(scopes, nil) || BeyondCeiling(scopes, nil) != nil {
		t.Error("within / empty ceiling")
	}
	// email and userinfo.email are the same scope both ways.
	if !ScopeMatches("email", "https://www.googleapis.com/auth/userinfo.email") || !ScopeMatches("userinfo.email", "email") {
		t.Error("aliases")
	}
	if !ScopeMatches("https://www.googleapis.com/auth/calendar.*", "https://www.googleapis.com/auth/calendar.readonly") ||
		!ScopeMatches("Mail.Read*", "mail.readbasic") || ScopeMatches("[", "x") {
		t.Error("globs")
	}
	if got := ScopesOfClass(scopes, ClassRestricted); !reflect.DeepEqual(got, []string{"drive", "gmail.readonly"}) {
		t.Errorf("ScopesOfClass = %v", got)
	}
}
