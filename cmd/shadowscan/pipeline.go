package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/shadowscan/shadowscan/configs"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/scanner"
)

// pipeline is the resolve and evaluate stages built from the config.
type pipeline struct {
	resolver     scanner.Resolver
	policy       scanner.Policy
	evaluator    scanner.Evaluator
	suppressions []scanner.Suppression
}

func (a *app) buildPipeline(cfg *configs.Config) (*pipeline, error) {
	cat, err := catalog.Load(cfg.Catalog.ExtraFiles...)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	res := catalog.NewResolver(cat)
	for _, p := range res.Problems() {
		a.log.Warn().Str("component", "catalog").Msg(p)
	}
	return &pipeline{resolver: res, evaluator: interimEvaluator{}}, nil
}

// interimEvaluator is the minimal built-in evaluation used until the rule engine is wired in: an app that no
// vendor matched and that holds Gmail or Drive scopes is reported.
type interimEvaluator struct{}

func (interimEvaluator) EvaluateRecord(_ context.Context, rec *scanner.Record, res scanner.Resolution, _ scanner.Approval, emit func(scanner.Match)) error {
	if res.Vendor != nil {
		return nil
	}
	for _, s := range rec.Scopes {
		if strings.Contains(s, "/auth/gmail") || strings.Contains(s, "mail.google.com") || strings.Contains(s, "/auth/drive") {
			emit(scanner.Match{RuleID: "unknown-app-restricted-scopes", Title: "Unknown app holds restricted scopes",
				Severity: scanner.SeverityHigh, GroupKey: string(res.Hint.Type) + ":" + strings.ToLower(res.Hint.Value),
				Message:     "An app no catalogue vendor matches holds Gmail or Drive access.",
				Remediation: "Find out who uses it and why; revoke the grant if nobody can vouch for it.",
				Evidence:    []scanner.Evidence{{Provider: rec.Provider, Kind: rec.Kind, ID: rec.ID, Summary: rec.Summary}}})
			return nil
		}
	}
	return nil
}

func (interimEvaluator) EvaluateInventory(context.Context, []scanner.InventoryItem, []scanner.Unidentified, func(scanner.Match)) error {
	return nil
}
