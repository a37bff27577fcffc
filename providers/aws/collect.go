package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

// run is one API-mode collection.
type run struct {
	p        *provider
	em       *scanner.Emitter
	base     aws.Config // the caller's configuration (after role_arn)
	caller   *clients
	callerID string
	part     string // ARN partition of the caller

	orgAccounts map[string]bool    // every account of the organisation, any state; the caller's own account
	names       map[string]account // scanned and listed accounts by ID
	cnames      *cnameChecker      // nil: Route 53 CNAME targets are not resolved
}

func (p *provider) collectAPI(ctx context.Context, em *scanner.Emitter) error {
	base, err := p.load(ctx)
	if err != nil {
		return err
	}
	base.HTTPClient = capInFlight(base.HTTPClient, p.cfg.MaxInFlight)
	ep := p.cfg.EndpointURL
	cl := newClients(base, ep)
	if p.cfg.RoleARN != "" {
		base = assumeRoleConfig(base, cl.sts, p.cfg.RoleARN, p.cfg.ExternalID)
		cl = newClients(base, ep)
	}
	id, err := cl.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if p.cfg.RoleARN != "" {
			return fmt.Errorf("assuming role_arn %s: %w", p.cfg.RoleARN, err)
		}
		return fmt.Errorf("sts:GetCallerIdentity (are AWS credentials configured?): %w", err)
	}
	r := &run{p: p, em: em, base: base, caller: cl, callerID: aws.ToString(id.Account), part: "aws",
		orgAccounts: map[string]bool{}, names: map[string]account{}}
	if r.cnames, err = p.newCNAMEChecker(); err != nil {
		return err
	}
	defer r.cnames.stats(p)
	if a, perr := arn.Parse(aws.ToString(id.Arn)); perr == nil && a.Partition != "" {
		r.part = a.Partition
	}
	r.orgAccounts[r.callerID] = true
	p.log.Debug().Str("caller_account", r.callerID).Msg("authenticated")

	targets := []account{{ID: r.callerID}}
	if p.cfg.Organization.Enabled {
		if accts, ok := r.listOrganization(ctx); ok {
			targets = accts
		} else if stopped(ctx, em, nil) {
			return ctx.Err()
		}
	}
	for _, a := range targets {
		r.names[a.ID] = a
	}
	if sh := p.d.Shard; sh.Sharded() {
		// Every shard lists the organisation (a few calls); each scans only its own accounts, by a stable hash.
		mine := targets[:0:0]
		for _, a := range targets {
			if sh.Owns(accountShardKey(a.ID)) {
				mine = append(mine, a)
			}
		}
		p.log.Debug().Str("shard", sh.String()).Int("accounts", len(targets)).Int("accounts_in_shard", len(mine)).Msg("accounts sharded")
		targets = mine
	}
	if len(p.d.Org.Marketing.AWSTags) == 0 {
		p.d.Diagnostics.Skip("marketing-tagged resources: organization.marketing.aws_tags is empty")
	}
	r.scanAccounts(ctx, targets)
	if stopped(ctx, em, nil) {
		return ctx.Err()
	}
	if p.cfg.CostExplorer && p.d.Shard.Owns(accountShardKey(r.callerID)) {
		if err := r.collectMarketplaceSpend(ctx); err != nil && !stopped(ctx, em, err) {
			r.fail("ce:GetCostAndUsage", account{ID: r.callerID}, err)
		}
	}
	return nil
}

// fail records an API failure for one account: coverage becomes partial and the scan goes on.
func (r *run) fail(api string, a account, err error) {
	r.p.log.Warn().Str("api", api).Str("account", a.ID).Err(err).Msg("AWS API call failed; coverage partial")
	r.p.d.Diagnostics.Error(api, a.target(), err)
}

// internal says whether an account belongs to the organisation (or is the scanned account itself).
func (r *run) internal(acct string) bool { return r.orgAccounts[acct] }

// listOrganization lists the organisation's accounts and returns the ACTIVE, not skipped ones. ok is false when
// the organisation could not be read; the caller's own account is then the only one scanned.
func (r *run) listOrganization(ctx context.Context) ([]account, bool) {
	p := r.p
	o := p.cfg.Organization
	caller := account{ID: r.callerID}
	mgmt := ""
	if out, err := r.caller.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		if stopped(ctx, r.em, err) {
			return nil, false
		}
		r.fail("organizations:DescribeOrganization", caller, fmt.Errorf("%w; scanning only the caller's account", err))
		return nil, false
	} else if out.Organization != nil {
		mgmt = aws.ToString(out.Organization.MasterAccountId)
	}

	var all []account
	pg := organizations.NewListAccountsPaginator(r.caller.org, &organizations.ListAccountsInput{})
	seen := pageTokens{}
	for page := 1; pg.HasMorePages(); page++ {
		out, err := pg.NextPage(ctx)
		if err == nil {
			err = seen.repeat(out.NextToken, page)
		}
		if err != nil {
			if stopped(ctx, r.em, err) {
				return nil, false
			}
			r.fail("organizations:ListAccounts", caller, fmt.Errorf("page %d: %w; scanning only the caller's account", page, err))
			return nil, false
		}
		p.log.Debug().Str("api", "organizations:ListAccounts").Int("page", page).Int("accounts", len(out.Accounts)).Msg("page")
		for _, a := range out.Accounts {
			all = append(all, orgAccount(a))
		}
	}
	for _, a := range all {
		r.orgAccounts[a.ID] = true
	}
	if mgmt != "" {
		r.orgAccounts[mgmt] = true
	}

	var ouSkip map[string]string
	if len(o.SkipOUs) > 0 {
		var paths map[string]string
		var err error
		ouSkip, paths, err = r.walkOUs(ctx, o.SkipOUs)
		if err != nil {
			if stopped(ctx, r.em, err) {
				return nil, false
			}
			r.fail("organizations:ListOrganizationalUnitsForParent", caller,
				fmt.Errorf("cannot honour organization.skip_ous: %w; scanning only the caller's account", err))
			return nil, false
		}
		for i := range all {
			all[i].OU = paths[all[i].ID]
		}
	}
	skipAcct := map[string]bool{}
	for _, a := range o.SkipAccounts {
		skipAcct[a] = true
	}

	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	var scan []account
	for _, a := range all {
		switch {
		case a.State != string(orgtypes.AccountStateActive):
			p.d.Diagnostics.Skip(fmt.Sprintf("%s: %s, not scanned", a.target(), a.State))
		case skipAcct[a.ID]:
			p.d.Diagnostics.Skip(fmt.Sprintf("%s: in organization.skip_accounts", a.target()))
		case ouSkip[a.ID] != "":
			p.d.Diagnostics.Skip(fmt.Sprintf("%s: under %s in organization.skip_ous", a.target(), ouSkip[a.ID]))
		default:
			scan = append(scan, a)
		}
	}
	p.log.Debug().Int("accounts", len(all)).Int("to_scan", len(scan)).Str("management_account", mgmt).
		Msg("organisation listed")
	return scan, true
}

func orgAccount(a orgtypes.Account) account {
	state := string(a.State)
	if state == "" {
		state = string(a.Status) // older responses carry only Status
	}
	return account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), State: state}
}

// maxOUDepth bounds the OU walk (AWS allows five levels under the root).
const maxOUDepth = 8

// walkOUs walks the OU tree and returns, for each account under a skipped OU (by ID or name), the skipped OU's
// path, plus every account's OU path.
func (r *run) walkOUs(ctx context.Context, skip []string) (skipped, paths map[string]string, err error) {
	want := map[string]bool{}
	for _, s := range skip {
		want[strings.ToLower(strings.TrimSpace(s))] = true
	}
	skipped, paths = map[string]string{}, map[string]string{}
	var walk func(parentID, path, skippedAt string, depth int) error
	walk = func(parentID, path, skippedAt string, depth int) error {
		if depth > maxOUDepth {
			return fmt.Errorf("OU tree deeper than %d levels at %s", maxOUDepth, path)
		}
		ap := organizations.NewListAccountsForParentPaginator(r.caller.org,
			&organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
		seen := pageTokens{}
		for page := 1; ap.HasMorePages(); page++ {
			out, err := ap.NextPage(ctx)
			if err == nil {
				err = seen.repeat(out.NextToken, page)
			}
			if err != nil {
				return fmt.Errorf("ListAccountsForParent %s: %w", parentID, err)
			}
			for _, a := range out.Accounts {
				id := aws.ToString(a.Id)
				paths[id] = path
				if skippedAt != "" {
					skipped[id] = skippedAt
				}
			}
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(r.caller.org,
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
		seen = pageTokens{}
		for page := 1; op.HasMorePages(); page++ {
			out, err := op.NextPage(ctx)
			if err == nil {
				err = seen.repeat(out.NextToken, page)
			}
			if err != nil {
				return fmt.Errorf("ListOrganizationalUnitsForParent %s: %w", parentID, err)
			}
			for _, ou := range out.OrganizationalUnits {
				child := strings.TrimSuffix(path, "/") + "/" + aws.ToString(ou.Name)
				at := skippedAt
				if at == "" && (want[strings.ToLower(aws.ToString(ou.Id))] || want[strings.ToLower(aws.ToString(ou.Name))] ||
					want[strings.ToLower(child)]) {
					at = "OU " + child + " (" + aws.ToString(ou.Id) + ")"
				}
				if err := walk(aws.ToString(ou.Id), child, at, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	rp := organizations.NewListRootsPaginator(r.caller.org, &organizations.ListRootsInput{})
	seen := pageTokens{}
	for page := 1; rp.HasMorePages(); page++ {
		out, err := rp.NextPage(ctx)
		if err == nil {
			err = seen.repeat(out.NextToken, page)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("ListRoots: %w", err)
		}
		for _, root := range out.Roots {
			at := ""
			if want[strings.ToLower(aws.ToString(root.Id))] {
				at = "root " + aws.ToString(root.Id)
			}
			if err := walk(aws.ToString(root.Id), "/", at, 0); err != nil {
				return nil, nil, err
			}
		}
	}
	return skipped, paths, nil
}

// scanAccounts scans accounts with at most cfg.Concurrency at once. One account's failure is recorded and the
// others go on.
func (r *run) scanAccounts(ctx context.Context, accts []account) {
	work := make(chan account)
	var wg sync.WaitGroup
	n := min(r.p.cfg.Concurrency, len(accts))
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				r.scanAccount(ctx, a)
			}
		}()
	}
feed:
	for _, a := range accts {
		select {
		case work <- a:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

// accountClients returns the clients for an account: the caller's own for its account, otherwise the
// organisation role assumed in it.
func (r *run) accountClients(ctx context.Context, a account) (*clients, error) {
	if a.ID == r.callerID {
		return r.caller.forAccount(r.p.cfg.IAMConcurrency), nil
	}
	o := r.p.cfg.Organization
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", r.part, a.ID, strings.TrimPrefix(o.RoleName, "/"))
	cfg := assumeRoleConfig(r.base, r.caller.sts, roleARN, o.ExternalID)
	// Assume now, so that a missing role or a denied trust is reported once as sts:AssumeRole.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("assuming %s: %w", roleARN, err)
	}
	return newClients(cfg, r.p.cfg.EndpointURL).forAccount(r.p.cfg.IAMConcurrency), nil
}

// scanAccount collects everything from one account within cfg.AccountTimeout. Its services are independent, so
// they are read side by side: an account costs its longest chain of calls, not the sum of them. Each part that
// fails is recorded and the others go on.
func (r *run) scanAccount(ctx context.Context, a account) {
	log := r.p.log.With().Str("account", a.ID).Str("account_name", a.Name).Logger()
	log.Debug().Msg("scanning account")
	actx, cancel := context.WithTimeout(ctx, r.p.cfg.AccountTimeout)
	defer cancel()
	cl, err := r.accountClients(actx, a)
	if err != nil {
		if r.accountTimedOut(ctx, actx, a) {
			return
		}
		if !stopped(actx, r.em, err) {
			r.fail("sts:AssumeRole", a, err)
		}
		return
	}
	s := &accountScan{run: r, a: a, cl: cl, log: log}
	parts := []func(context.Context) error{s.collectIAM, s.collectIdentityProviders, s.collectRoute53,
		s.collectAgreements, s.collectTagged}
	var wg sync.WaitGroup
	for _, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = part(actx) // failures are recorded by the part itself
		}()
	}
	wg.Wait()
	if r.accountTimedOut(ctx, actx, a) {
		return
	}
	log.Debug().Int64("records", s.emitted.Load()).Msg("account scanned")
}

// accountTimedOut records an account that ran out of its own time (the scan itself still running): its coverage
// is partial, what was read is kept, and the other accounts go on.
func (r *run) accountTimedOut(ctx, actx context.Context, a account) bool {
	if ctx.Err() != nil || actx.Err() != context.DeadlineExceeded || r.em.Err() != nil {
		return false
	}
	r.fail("account", a, fmt.Errorf("not finished within account_timeout %s; the records read before are kept", r.p.cfg.AccountTimeout))
	return true
}

// accountScan is the collection of one account.
type accountScan struct {
	run *run
	a   account
	cl  *clients
	log zerolog.Logger

	emitted atomic.Int64 // records emitted for this account (its parts run side by side)
}

func (s *accountScan) emit(recs ...scanner.Record) error {
	for _, rec := range recs {
		if err := s.run.em.Send(rec); err != nil {
			return errors.Join(errStopped, err)
		}
		s.emitted.Add(1)
	}
	return nil
}

// failed records err for api unless the scan is stopping; it returns err so callers can return it.
func (s *accountScan) failed(ctx context.Context, api string, err error) error {
	if !stopped(ctx, s.run.em, err) {
		s.run.fail(api, s.a, err)
	}
	return err
}
