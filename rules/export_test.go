package rules

// CPUTime gives the external test package (rules_test) the process CPU clock of cputime_*_test.go.
var CPUTime = cpuTime
