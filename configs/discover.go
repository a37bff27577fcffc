package configs

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the config's name in the places check and serve search.
const FileName = "shadowscan.yaml"

// EnvConfig names the environment variable holding a config path.
const EnvConfig = EnvPrefix + "_CONFIG"

// SearchPaths lists where check and serve look for a config when neither --config nor SHADOWSCAN_CONFIG names
// one, in order: the working folder, the user's config folder (os.UserConfigDir; "" leaves it out), then
// /etc/shadowscan.
func SearchPaths(userConfigDir string) []string {
	paths := []string{FileName}
	if userConfigDir != "" {
		paths = append(paths, filepath.Join(userConfigDir, "shadowscan", FileName))
	}
	return append(paths, filepath.Join(string(filepath.Separator), "etc", "shadowscan", FileName))
}

// Found is the config Discover chose, and how: Path is "" when there is none.
type Found struct {
	Path string
	// How says where the path came from: "--config", "SHADOWSCAN_CONFIG", or "found in the working folder" etc.
	How string
	// Searched lists what was looked at when nothing was found.
	Searched []string
}

// Describe is one line for people: "configs/demo.yaml (--config)", or where it looked when nothing was found
// ("looked at --config, SHADOWSCAN_CONFIG, shadowscan.yaml, …").
func (f Found) Describe() string {
	if f.Path == "" {
		return strings.Join(append([]string{"looked at --config", EnvConfig}, f.Searched...), ", ")
	}
	return f.Path + " (" + f.How + ")"
}

// Discover finds the config: flag (--config) first, then SHADOWSCAN_CONFIG from environ, then the first of search
// that exists. A path named by the flag or the variable must exist; a missing search path is skipped.
func Discover(flag string, environ []string, search []string) (Found, error) {
	if flag != "" {
		return Found{Path: flag, How: "--config"}, nil
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == EnvConfig && v != "" {
			if _, err := os.Stat(v); err != nil {
				return Found{}, &Error{File: v, Msg: fmt.Sprintf("named by %s: %v", EnvConfig, statReason(err))}
			}
			return Found{Path: v, How: EnvConfig}, nil
		}
	}
	for _, p := range search {
		fi, err := os.Stat(p)
		if err == nil && !fi.IsDir() {
			return Found{Path: p, How: "found at " + p}, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return Found{}, &Error{File: p, Msg: err.Error()}
		}
	}
	return Found{Searched: search}, nil
}

func statReason(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}

// ValidateRequestTo accepts "" (not configured), an email address, or an http(s) URL.
func ValidateRequestTo(s string) error {
	if s == "" {
		return nil
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%q is not an http(s) URL of a form or ticket queue", s)
		}
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return fmt.Errorf("%q is neither an email address nor an http(s) URL", s)
	}
	return nil
}
