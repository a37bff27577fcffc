package main

import (
	"github.com/shadowscan/shadowscan/configs"
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
	return &pipeline{}, nil
}
