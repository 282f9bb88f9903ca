package main

import (
	"bytes"
	"github.com/painscreen/painscreen/screen/render"
	"os"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPTY opens a pseudo-terminal pair and sets its size to cols columns; it returns the terminal side.
func openPTY(t *testing.T, cols uint16) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = master.Close() })
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tty.Close() })
	ws := struct{ Row, Col, X, Y uint16 }{Row: 40, Col: cols}
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, tty.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	require.Zero(t, e)
	return tty
}

func TestTerminalWidth(t *testing.T) {
	assert.Equal(t, 0, termCols(&bytes.Buffer{}), "not a file")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.Equal(t, 0, termCols(w), "a pipe is not a terminal")

	tty := openPTY(t, 123)
	assert.Equal(t, 123, termCols(tty))
	assert.Equal(t, 123, terminalWidth(&checkedWriter{w: tty}), "through run's checked writer")

	// The text format takes the terminal's width; --width wins; a narrow terminal gets the narrowest layout.
	for _, c := range []struct {
		cols uint16
		flag int
		want int
	}{{123, 0, 123}, {123, 90, 90}, {20, 0, minWidth}} {
		fl := outFlags{width: c.flag}
		w, err := fl.textWidth(render.Text, openPTY(t, c.cols), "")
		require.NoError(t, err)
		assert.Equal(t, c.want, w)
	}
	tw, err := (&outFlags{}).textWidth(render.Text, openPTY(t, 123), "out.txt")
	require.NoError(t, err)
	assert.Equal(t, defaultWidth, tw, "--output: not the terminal's width")
}

// TestIsTerminal: only a terminal is one; /dev/null is a character device but not a terminal, so
// `painscreen score </dev/null` does not say it is reading from the terminal.
func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	assert.False(t, isTerminal(null), "/dev/null")
	assert.False(t, isTerminal(&bytes.Buffer{}), "not a file")
	assert.True(t, isTerminal(openPTY(t, 80)))
}
