package microsoft

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// credential builds the azidentity credential the config names: a client secret from a file, a certificate (PEM
// with its key), or a federated token file (workload identity federation: AKS, GitHub Actions, GKE). Token
// requests go through base, so tests can trust their fake login endpoint.
func (p *provider) credential(base http.RoundTripper) (azcore.TokenCredential, error) {
	c := p.cfg
	opts := azcore.ClientOptions{Transport: &http.Client{Transport: base, Timeout: time.Minute}}
	login := c.LoginEndpoint != ""
	if login {
		opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: c.LoginEndpoint}
	}
	switch {
	case c.ClientSecretFile != "":
		secret, err := readSecretFile(c.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("client_secret_file: %w", err)
		}
		cred, err := azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: login})
		if err != nil {
			return nil, fmt.Errorf("client_secret_file: %w", err)
		}
		return cred, nil
	case c.CertificateFile != "":
		data, err := os.ReadFile(c.CertificateFile)
		if err != nil {
			return nil, fmt.Errorf("certificate_file: %w", err)
		}
		certs, key, err := azidentity.ParseCertificates(data, nil)
		if err != nil {
			return nil, fmt.Errorf("certificate_file: %s: want a PEM file with the certificate and its unencrypted private key: %w", c.CertificateFile, err)
		}
		cred, err := azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: login})
		if err != nil {
			return nil, fmt.Errorf("certificate_file: %w", err)
		}
		return cred, nil
	case c.FederatedTokenFile != "":
		file := c.FederatedTokenFile
		if _, err := readSecretFile(file); err != nil {
			return nil, fmt.Errorf("federated_token_file: %w", err)
		}
		// Re-read per token request: the platform rotates the file (AKS every hour or so).
		assertion := func(context.Context) (string, error) {
			tok, err := readSecretFile(file)
			if err != nil {
				return "", fmt.Errorf("federated_token_file: %w", err)
			}
			return tok, nil
		}
		cred, err := azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: login})
		if err != nil {
			return nil, fmt.Errorf("federated_token_file: %w", err)
		}
		return cred, nil
	}
	return nil, errors.New("auth: set client_secret_file, certificate_file or federated_token_file")
}

// readSecretFile reads a one-line secret; the content never appears in an error.
func readSecretFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// bearer adds a Graph access token to every request. azidentity caches tokens and refreshes them before they
// expire; the token never reaches a log or an error message.
type bearer struct {
	cred  azcore.TokenCredential
	scope string
	base  http.RoundTripper

	mu  sync.Mutex
	tok azcore.AccessToken
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := b.token(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return b.base.RoundTrip(r)
}

func (b *bearer) token(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tok.Token != "" && time.Until(b.tok.ExpiresOn) > 5*time.Minute {
		return b.tok.Token, nil
	}
	tok, err := b.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{b.scope}})
	if err != nil {
		return "", &authError{err: err}
	}
	b.tok = tok
	return tok.Token, nil
}

// authError is a failed token request; it stops the whole collection (nothing can be read without a token).
type authError struct{ err error }

func (e *authError) Error() string {
	return "getting a Microsoft Graph token: " + e.err.Error()
}

func (e *authError) Unwrap() error { return e.err }
