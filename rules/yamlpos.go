package rules

import "github.com/shadowscan/shadowscan/internal/yamlpos"

// Error is one problem in a rules file, with its position.
type Error = yamlpos.Error

// Errors is every problem found in one load, in file order.
type Errors = yamlpos.Errors

type yamlDoc = yamlpos.Doc
