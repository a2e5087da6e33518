package chdb

import (
	"fmt"
	"syscall"
	"unsafe"
)

// kernelSigaction is struct kernel_sigaction as rt_sigaction(2) reads and writes it on Linux.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// signalSnapshot holds the process's signal dispositions at one moment.
type signalSnapshot map[syscall.Signal]kernelSigaction

// watchedSignals are the signals whose handlers libchdb replaces on connect,
// plus the real-time signal the Go runtime does not use but chDB does.
var watchedSignals = [...]syscall.Signal{
	syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS, syscall.SIGFPE,
	syscall.SIGSEGV, syscall.SIGTSTP, syscall.SIGSYS, syscall.SIGPIPE, syscall.SIGURG,
	syscall.SIGPROF, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGCHLD, syscall.Signal(34),
}

// snapshotSignals records the current handlers of the watched signals.
func snapshotSignals() (signalSnapshot, error) {
	snap := make(signalSnapshot, len(watchedSignals))
	for _, sig := range watchedSignals {
		var old kernelSigaction
		if err := rtSigaction(sig, nil, &old); err != nil {
			return nil, fmt.Errorf("chdb: read handler of %v: %w", sig, err)
		}
		snap[sig] = old
	}
	return snap, nil
}

// restore puts every recorded handler back.
func (s signalSnapshot) restore() error {
	for sig, act := range s {
		if err := rtSigaction(sig, &act, nil); err != nil {
			return fmt.Errorf("chdb: restore handler of %v: %w", sig, err)
		}
	}
	return nil
}

// rtSigaction calls rt_sigaction(2) directly, bypassing Go's os/signal bookkeeping.
func rtSigaction(sig syscall.Signal, act, old *kernelSigaction) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
