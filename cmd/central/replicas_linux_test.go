package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel stop a replica if the test process dies
// without its cleanups (a timeout, a kill).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
