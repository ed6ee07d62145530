//go:build !unix

package testbed

// selfCPU is not measured where getrusage is missing.
func selfCPU() float64 { return 0 }
