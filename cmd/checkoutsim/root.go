package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit statuses. Bad input of any kind (flags, files, scenarios) is 2, a
// run that completed but whose verdict is negative (a failed verification)
// is 1, success is 0.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
)

// exitError carries an exit status through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as a problem with the user's input: exit status 2.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitBadInput, err: err}
}

// failed marks a negative verdict: exit status 1, message already printed.
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// newRootCmd builds the command tree. Output goes to the given writers so
// tests can run commands in-process.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "checkoutsim",
		Short: "Deterministic simulator of what breaks e-commerce checkout under flash-sale load",
		Long: `checkoutsim is a deterministic discrete-event simulator of an e-commerce
checkout under flash-sale load. It models the amplification loops that break
checkout at peak (inventory lock contention, cache churn, retry storms, N+1
pricing) and runs the real resilience policy code under a virtual clock.

The same scenario and seed always give byte-identical output.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return badInput(fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath()))
	})
	addQuietFlag(root)
	root.AddCommand(
		newVersionCmd(),
		newVerifyCmd(),
		newValidateCmd(),
		newScenariosCmd(),
		newRunCmd(),
		newCompareCmd(),
		newSweepCmd(),
		newMergeCmd(),
		newCapacityCmd(),
		newReportCmd(),
		newFitCmd(),
		newAblationCmd(),
		newSensitivityCmd(),
		newRobustCmd(),
		newTestbedCmd(),
		newTuneCmd(),
	)
	return root
}

// run executes the CLI with args and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.code == exitFailed {
			if msg := ee.Error(); msg != "" {
				fmt.Fprintln(stderr, "checkoutsim:", msg)
			}
			return exitFailed
		}
		fmt.Fprintln(stderr, "checkoutsim:", ee.Error())
		return ee.code
	}
	// Cobra's own errors (unknown command, wrong number of arguments) are
	// usage errors.
	fmt.Fprintln(stderr, "checkoutsim:", err)
	return exitBadInput
}
