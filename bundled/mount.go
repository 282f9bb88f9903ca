package bundled

import (
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// mount is a read-only file system made of others, each under a top-level directory of its own.
type mount map[string]fs.FS

// split returns the file system a path belongs to and the path inside it.
func (m mount) split(op, name string) (fs.FS, string, error) {
	if !fs.ValidPath(name) {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	top, rest, _ := strings.Cut(name, "/")
	sub, ok := m[top]
	if !ok {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	if rest == "" {
		rest = "."
	}
	return sub, rest, nil
}

func (m mount) Open(name string) (fs.File, error) {
	if name == "." {
		return &rootDir{m: m}, nil
	}
	sub, rest, err := m.split("open", name)
	if err != nil {
		return nil, err
	}
	f, err := sub.Open(rest)
	if err != nil || rest != "." {
		return f, err
	}
	d, ok := f.(fs.ReadDirFile)
	if !ok {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("mounted file system root is not a directory")}
	}
	return mountPoint{d, name}, nil
}

// mountPoint is a mounted file system's root, under its name in the mount.
type mountPoint struct {
	fs.ReadDirFile
	name string
}

func (p mountPoint) Stat() (fs.FileInfo, error) { return dirInfo(p.name), nil }

func (m mount) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		return m.entries(), nil
	}
	sub, rest, err := m.split("readdir", name)
	if err != nil {
		return nil, err
	}
	return fs.ReadDir(sub, rest)
}

func (m mount) entries() []fs.DirEntry {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]fs.DirEntry, len(names))
	for i, n := range names {
		out[i] = fs.FileInfoToDirEntry(dirInfo(n))
	}
	return out
}

// rootDir is the mount's root directory, open for reading.
type rootDir struct {
	m    mount
	left []fs.DirEntry
	open bool
}

func (d *rootDir) Stat() (fs.FileInfo, error) { return dirInfo("."), nil }
func (d *rootDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: errors.New("is a directory")}
}
func (d *rootDir) Close() error { return nil }

// ReadDir follows fs.ReadDirFile: n > 0 returns at most n entries and io.EOF at the end; n <= 0 returns
// the rest.
func (d *rootDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.open {
		d.left, d.open = d.m.entries(), true
	}
	if n <= 0 {
		out := d.left
		d.left = nil
		return out, nil
	}
	if len(d.left) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.left))
	out := d.left[:n]
	d.left = d.left[n:]
	return out, nil
}

// dirInfo describes a mounted directory.
type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }
