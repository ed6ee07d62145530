// Command checkoutsim simulates e-commerce checkout under flash-sale load.
// This file only wires the commands; each command lives in its own file and
// all logic lives in experiments/ and below.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
