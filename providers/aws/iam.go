package aws

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// collectIAM emits the trust records of every role and the records of every active access key. A failed page
// ends the role and user list there; keys of the users already read are still collected.
func (s *accountScan) collectIAM(ctx context.Context) error {
	const api = "iam:GetAccountAuthorizationDetails"
	pg := iam.NewGetAccountAuthorizationDetailsPaginator(s.cl.iam, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeUser},
	})
	var users []iamUser
	var stats trustStats
	var listErr error
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err != nil {
			listErr = s.failed(ctx, api, fmt.Errorf("page %d (roles and users after it not read): %w", page, err))
			if stopped(ctx, s.run.em, err) {
				return listErr
			}
			break
		}
		s.log.Debug().Str("api", api).Int("page", page).Int("roles", len(out.RoleDetailList)).
			Int("users", len(out.UserDetailList)).Msg("page")
		for _, rd := range out.RoleDetailList {
			if err := s.emitTrust(ctx, roleFromSDK(rd), &stats); err != nil {
				return err
			}
		}
		for _, ud := range out.UserDetailList {
			users = append(users, userFromSDK(ud))
		}
		if err := seen.repeat(out.Marker, page); err != nil && out.IsTruncated {
			listErr = s.failed(ctx, api, err)
			break
		}
	}
	s.log.Debug().Int("roles", stats.roles).Int("external_trusts", stats.external).Int("internal_trusts", stats.internal).
		Int("service_trusts", stats.services).Int("users", len(users)).Msg("IAM roles read")

	// Users' keys are read side by side; the account's IAM slots (iam_concurrency) bound them.
	var keys atomic.Int64
	work := make(chan *iamUser)
	var wg sync.WaitGroup
	for range min(s.run.p.cfg.IAMConcurrency, len(users)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				n, _ := s.collectKeys(ctx, u) // failures are recorded per user
				keys.Add(int64(n))
			}
		}()
	}
feed:
	for i := range users {
		select {
		case work <- &users[i]:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil || s.run.em.Err() != nil {
		return errors.Join(errStopped, ctx.Err(), s.run.em.Err())
	}
	s.log.Debug().Int64("active_keys", keys.Load()).Msg("IAM access keys read")
	return listErr
}

type trustStats struct{ roles, external, internal, services int }

// emitTrust emits one role's external trusts. A trust policy that cannot be read is recorded, not fatal.
func (s *accountScan) emitTrust(ctx context.Context, role iamRole, st *trustStats) error {
	st.roles++
	res, err := trustRecords(s.a, role, s.run.internal, s.run.p.now())
	if err != nil {
		s.run.fail("iam:GetAccountAuthorizationDetails", s.a, fmt.Errorf("trust policy not readable: %w", err))
		return nil
	}
	st.external += len(res.Records)
	st.internal += res.Internal
	st.services += res.Services
	return s.emit(res.Records...)
}

// collectKeys emits the user's active access keys; it returns how many.
func (s *accountScan) collectKeys(ctx context.Context, u *iamUser) (int, error) {
	pg := iam.NewListAccessKeysPaginator(s.cl.iam, &iam.ListAccessKeysInput{UserName: aws.String(u.Name)})
	n := 0
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err == nil && out.IsTruncated {
			err = seen.repeat(out.Marker, page)
		}
		if err != nil {
			return n, s.failed(ctx, "iam:ListAccessKeys", fmt.Errorf("user %s: %w", u.Name, err))
		}
		for _, km := range out.AccessKeyMetadata {
			if km.Status != iamtypes.StatusTypeActive {
				continue
			}
			k := accessKey{UserName: u.Name, UserARN: u.ARN, ID: aws.ToString(km.AccessKeyId), Status: string(km.Status),
				Created: aws.ToTime(km.CreateDate)}
			lu, err := s.cl.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: km.AccessKeyId})
			switch {
			case err != nil:
				if stopped(ctx, s.run.em, err) {
					return n, err
				}
				s.failed(ctx, "iam:GetAccessKeyLastUsed", fmt.Errorf("user %s key %s: %w", u.Name, k.ID, err))
				k.LastUsedUnknown = true
			case lu.AccessKeyLastUsed != nil:
				k.LastUsed = aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate)
				k.LastUsedService = naToEmpty(aws.ToString(lu.AccessKeyLastUsed.ServiceName))
				k.LastUsedRegion = naToEmpty(aws.ToString(lu.AccessKeyLastUsed.Region))
			}
			if err := s.emit(credentialRecord(s.a, k, u, s.run.p.now())); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func naToEmpty(s string) string {
	if strings.EqualFold(s, "N/A") {
		return ""
	}
	return s
}

// collectIdentityProviders emits the account's OIDC and SAML providers; the two lists are read side by side.
func (s *accountScan) collectIdentityProviders(ctx context.Context) error {
	var oidcErr, samlErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); oidcErr = s.collectOIDC(ctx) }()
	go func() { defer wg.Done(); samlErr = s.collectSAML(ctx) }()
	wg.Wait()
	if oidcErr != nil {
		return oidcErr
	}
	return samlErr
}

func (s *accountScan) collectOIDC(ctx context.Context) error {
	var firstErr error
	oidc, err := s.cl.iam.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return s.failed(ctx, "iam:ListOpenIDConnectProviders", err)
	}
	for _, e := range oidc.OpenIDConnectProviderList {
		a := aws.ToString(e.Arn)
		out, err := s.cl.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: e.Arn})
		if err != nil {
			e := s.failed(ctx, "iam:GetOpenIDConnectProvider", fmt.Errorf("%s: %w", a, err))
			if stopped(ctx, s.run.em, err) {
				return err
			}
			if firstErr == nil {
				firstErr = e
			}
			continue
		}
		if err := s.emit(identityProviderRecord(s.a, oidcProvider(a, out))); err != nil {
			return err
		}
	}
	return firstErr
}

func (s *accountScan) collectSAML(ctx context.Context) error {
	var firstErr error
	saml, err := s.cl.iam.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		return s.failed(ctx, "iam:ListSAMLProviders", err)
	}
	for _, e := range saml.SAMLProviderList {
		a := aws.ToString(e.Arn)
		p := identityProvider{ARN: a, Type: "saml", Name: arnResourceName(a, "saml-provider/"),
			Created: aws.ToTime(e.CreateDate), ValidUntil: aws.ToTime(e.ValidUntil)}
		out, err := s.cl.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: e.Arn})
		if err != nil {
			e := s.failed(ctx, "iam:GetSAMLProvider", fmt.Errorf("%s: %w", a, err))
			if stopped(ctx, s.run.em, err) {
				return err
			}
			if firstErr == nil {
				firstErr = e
			}
		} else {
			p.EntityID = samlEntityID(aws.ToString(out.SAMLMetadataDocument))
			p.Tags = iamTags(out.Tags)
		}
		if err := s.emit(identityProviderRecord(s.a, p)); err != nil {
			return err
		}
	}
	return firstErr
}

func oidcProvider(providerARN string, out *iam.GetOpenIDConnectProviderOutput) identityProvider {
	u := aws.ToString(out.Url)
	name := arnResourceName(providerARN, "oidc-provider/")
	if name == "" {
		name = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	}
	if u != "" && !strings.Contains(u, "://") {
		u = "https://" + u
	}
	return identityProvider{ARN: providerARN, Type: "oidc", Name: name, URL: u, ClientIDs: out.ClientIDList,
		Created: aws.ToTime(out.CreateDate), Tags: iamTags(out.Tags)}
}

// arnResourceName returns what follows prefix in an ARN's resource part ("" when absent).
func arnResourceName(a, prefix string) string {
	if i := strings.Index(a, ":"+prefix); i >= 0 {
		return a[i+1+len(prefix):]
	}
	return ""
}

// samlEntityID returns the entityID of a SAML metadata document's EntityDescriptor ("" when there is none).
func samlEntityID(doc string) string {
	d := xml.NewDecoder(strings.NewReader(doc))
	for i := 0; i < 10000; i++ {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "EntityDescriptor" {
			for _, a := range se.Attr {
				if a.Name.Local == "entityID" {
					return strings.TrimSpace(a.Value)
				}
			}
			return ""
		}
	}
	return ""
}

func iamTags(ts []iamtypes.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func roleFromSDK(rd iamtypes.RoleDetail) iamRole {
	r := iamRole{ARN: aws.ToString(rd.Arn), Name: aws.ToString(rd.RoleName), Path: aws.ToString(rd.Path),
		Created: aws.ToTime(rd.CreateDate), Tags: iamTags(rd.Tags)}
	if rd.AssumeRolePolicyDocument != nil {
		r.TrustPolicy, _ = json.Marshal(aws.ToString(rd.AssumeRolePolicyDocument))
	}
	if rd.RoleLastUsed != nil {
		r.LastUsed = aws.ToTime(rd.RoleLastUsed.LastUsedDate)
		r.LastUsedRegion = aws.ToString(rd.RoleLastUsed.Region)
	}
	return r
}

func userFromSDK(ud iamtypes.UserDetail) iamUser {
	return iamUser{ARN: aws.ToString(ud.Arn), Name: aws.ToString(ud.UserName), Created: aws.ToTime(ud.CreateDate),
		Tags: iamTags(ud.Tags)}
}
