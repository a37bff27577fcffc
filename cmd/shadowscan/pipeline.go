package main

import (
	"fmt"
	"io/fs"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// pipeline is the resolve and evaluate stages built from the config: the catalogue and its resolver, the rule
// set, the organisation's approvals and suppressions.
type pipeline struct {
	catalog   *catalog.Catalog
	resolver  *catalog.Resolver
	rules     *rules.RuleSet
	policy    *policy.Policy // approvals (empty when no approved_file is configured) and suppressions
	evaluator scanner.Evaluator
	fileMode  fs.FileMode // new request files (check --request)
	// warnings are what the approved-tools and suppressions files say that is accepted but worth a look (logged
	// when loaded; doctor prints them).
	warnings []string
}

func (a *app) buildPipeline(cfg *configs.Config) (*pipeline, error) {
	p, err := a.loadPolicy(cfg)
	if err != nil {
		return nil, err
	}
	if p.rules, err = rules.Load(rules.Options{ExtraFiles: cfg.Rules.ExtraFiles, Disable: cfg.Rules.Disable,
		Severity: cfg.Rules.Severity}); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if cfg.Policy.SuppressionsFile != "" {
		sups, warnings, err := policy.LoadSuppressionsWith(cfg.Policy.SuppressionsFile, p.rules.IDs(), vendorIndex{p.catalog})
		if err != nil {
			return nil, err
		}
		p.warn(a, warnings)
		p.policy = policy.New(p.policy.Approvals(), sups)
	}
	p.evaluator = rules.NewEngine(p.rules, rules.OrgInfo{Organization: cfg.Organization, Thresholds: cfg.Rules.Thresholds,
		Policy: p.policy, Now: a.now})
	return p, nil
}

// loadPolicy is the part of the pipeline that check and serve need too: the catalogue, its resolver and the
// approved-tools file. Rules and suppressions are left to buildPipeline.
func (a *app) loadPolicy(cfg *configs.Config) (*pipeline, error) {
	cat, err := catalog.Load(cfg.Catalog.ExtraFiles...)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	p := &pipeline{catalog: cat, policy: policy.New(nil, nil)}
	if cfg.Policy.ApprovedFile != "" {
		appr, err := policy.LoadApprovals(cfg.Policy.ApprovedFile, vendorIndex{cat}, a.now())
		if err != nil {
			return nil, err
		}
		p.warn(a, appr.Warnings())
		if locals := appr.Locals(); len(locals) > 0 {
			// Vendors the catalogue lacks: merge them in before the resolver is built, so that scans recognise them.
			if p.catalog, err = catalog.LoadWithLocal(locals, cfg.Catalog.ExtraFiles...); err != nil {
				return nil, fmt.Errorf("approved-tools file: local vendors: %w", err)
			}
			if err := appr.BindLocal(vendorIndex{p.catalog}); err != nil {
				return nil, err
			}
		}
		p.policy = policy.New(appr, nil)
	} else {
		a.log.Warn().Str("component", "rules").Msg("no policy.approved_file: every vendor counts as unapproved")
	}
	p.resolver = catalog.NewResolver(p.catalog)
	for _, prob := range p.resolver.Problems() {
		a.log.Warn().Str("component", "catalog").Msg(prob)
	}
	return p, nil
}

func (p *pipeline) warn(a *app, warnings []string) {
	for _, w := range warnings {
		a.log.Warn().Str("component", "policy").Msg(w)
	}
	p.warnings = append(p.warnings, warnings...)
}

// vendorIndex adapts the catalogue to what the approvals loader needs.
type vendorIndex struct{ cat *catalog.Catalog }

func (v vendorIndex) Lookup(idOrName string) (scanner.Vendor, bool) {
	e, ok := v.cat.Lookup(idOrName)
	if !ok {
		return scanner.Vendor{}, false
	}
	return e.Vendor(), true
}

func (v vendorIndex) Suggest(name string) []string {
	ids := v.cat.Suggest(name)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if e, ok := v.cat.Vendor(id); ok {
			out = append(out, e.Name)
		}
	}
	return out
}
