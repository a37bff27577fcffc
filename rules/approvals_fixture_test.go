package rules

import (
	"time"

	"github.com/shadowscan/shadowscan/rules/policy/policytest"
)

var testNow = time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)

var demoApprovals = policytest.DemoApprovals
