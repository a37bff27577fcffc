package httpx

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestLogRetries(t *testing.T) {
	var buf bytes.Buffer
	log := LogRetries(zerolog.New(&buf), "graph call")
	log(RetryEvent{URL: "https://graph.example/v1.0/users", Attempt: 1, StatusCode: 429, RetryAfter: 2 * time.Second, Delay: 2 * time.Second})
	log(RetryEvent{URL: "https://graph.example/v1.0/users", Attempt: 2, Err: errors.New("connection reset")})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{
		{`"level":"debug"`, `"attempt":1`, `"status":429`, `"retry_after_ms":2000`, `"delay_ms":2000`, `"message":"graph call throttled or failed; retrying"`},
		{`"level":"warn"`, `"attempt":2`, `"error":"connection reset"`},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %s: %s", i+1, w, lines[i])
			}
		}
	}
}
