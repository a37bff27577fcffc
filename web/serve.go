package web

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// DefaultAddr is where `shadowscan serve` listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// ShutdownTimeout is how long a graceful shutdown waits for requests in flight.
const ShutdownTimeout = 10 * time.Second

// NewHTTPServer returns an http.Server with the timeouts and header limit serve uses.
func NewHTTPServer(h http.Handler, logger zerolog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.New(logger.With().Str("component", "http").Logger(), "", 0),
	}
}

// Serve listens on addr and serves h until ctx is cancelled (the caller cancels it on SIGINT/SIGTERM), then shuts
// down gracefully: it stops accepting, waits up to ShutdownTimeout for requests in flight, and returns nil.
func Serve(ctx context.Context, addr string, h http.Handler, logger zerolog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return ServeListener(ctx, ln, h, logger)
}

// ServeListener is Serve on an existing listener (tests listen on 127.0.0.1:0).
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, logger zerolog.Logger) error {
	srv := NewHTTPServer(h, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info().Str("addr", ln.Addr().String()).Str("url", "http://"+ln.Addr().String()+"/").Msg("serving")
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// ReadTokenFile reads the bearer token from a file: the first line, trimmed. It refuses an empty token and one
// shorter than 16 characters. (Keep the file private: chmod 600, or a Kubernetes secret.)
func ReadTokenFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if fi.Size() > 4096 {
		return "", fmt.Errorf("token file %s: too large for a token", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok, _, _ := strings.Cut(string(b), "\n")
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", fmt.Errorf("token file %s: empty", path)
	}
	if len(tok) < 16 {
		return "", fmt.Errorf("token file %s: the token is shorter than 16 characters", path)
	}
	if strings.ContainsAny(tok, " \t\r\x00") {
		return "", fmt.Errorf("token file %s: the token holds spaces or control characters", path)
	}
	return tok, nil
}
