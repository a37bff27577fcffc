package web

import (
	"strings"
	"testing"
)

func TestCheckExposure(t *testing.T) {
	for _, tc := range []struct {
		addr          string
		token, allow  bool
		wantErr, warn bool
	}{
		{addr: "127.0.0.1:8080"},
		{addr: "[::1]:8080"},
		{addr: "localhost:8080"},
		{addr: "127.0.0.2:80"},
		{addr: "0.0.0.0:8080", wantErr: true},
		{addr: ":8080", wantErr: true},
		{addr: "[::]:8080", wantErr: true},
		{addr: "192.0.2.10:8080", wantErr: true},
		{addr: "shadowscan.internal:8080", wantErr: true},
		{addr: "0.0.0.0:8080", token: true, warn: true},
		{addr: "0.0.0.0:8080", allow: true, warn: true},
	} {
		warn, err := CheckExposure(tc.addr, tc.token, tc.allow)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s token=%v allow=%v: err %v", tc.addr, tc.token, tc.allow, err)
		}
		if err != nil && (!strings.Contains(err.Error(), "--token-file") || !strings.Contains(err.Error(), "--allow-public-without-token")) {
			t.Errorf("%s: error does not say the way out: %v", tc.addr, err)
		}
		if (warn != "") != tc.warn {
			t.Errorf("%s token=%v allow=%v: warning %q", tc.addr, tc.token, tc.allow, warn)
		}
	}
}
