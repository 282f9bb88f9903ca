// Package semver parses semantic versions (MAJOR.MINOR.PATCH, semver.org 2.0.0) and the version constraints
// that rule sets use to select instrument versions.
//
// Constraint syntax (a small, npm-like subset):
//
//	1.2.3        exactly 1.2.3 (also "=1.2.3")
//	^1, ^1.2, ^1.2.3   compatible: same major (for 0.x: same minor), at least the given version
//	~1.2, ~1.2.3       same major.minor, at least the given version
//	>=1.2.0 <2   comparison operators >, >=, <, <=, =, joined by spaces (all must hold)
//	*            any version
//	a || b       either constraint
//
// Pre-release versions (1.2.3-rc.1) parse and order per semver; build metadata (+x) is rejected, since two
// definitions that differ only in build metadata would be indistinguishable in a report.
package semver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed semantic version.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // pre-release identifiers; empty for a release
}

// Parse parses a full MAJOR.MINOR.PATCH[-PRE] version.
func Parse(s string) (Version, error) {
	v, n, err := parsePartial(s)
	if err != nil {
		return Version{}, err
	}
	if n != 3 {
		return Version{}, fmt.Errorf("version %q must have three parts, MAJOR.MINOR.PATCH", s)
	}
	return v, nil
}

// parsePartial parses 1, 1.2 or 1.2.3[-pre] and reports how many numeric parts were present.
func parsePartial(s string) (Version, int, error) {
	var v Version
	if s == "" {
		return v, 0, errors.New("empty version")
	}
	if strings.ContainsRune(s, '+') {
		return v, 0, fmt.Errorf("version %q: build metadata (+...) is not allowed", s)
	}
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 {
		return v, 0, fmt.Errorf("version %q has more than three parts", s)
	}
	nums := []*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, err := parseNum(p)
		if err != nil {
			return v, 0, fmt.Errorf("version %q: %v", s, err)
		}
		*nums[i] = n
	}
	if hasPre {
		if len(parts) != 3 {
			return v, 0, fmt.Errorf("version %q: a pre-release needs MAJOR.MINOR.PATCH", s)
		}
		if pre == "" {
			return v, 0, fmt.Errorf("version %q: empty pre-release", s)
		}
		for _, id := range strings.Split(pre, ".") {
			if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return v, 0, fmt.Errorf("version %q: invalid pre-release identifier %q", s, id)
			}
			if isNumeric(id) && len(id) > 1 && id[0] == '0' {
				return v, 0, fmt.Errorf("version %q: numeric pre-release identifier %q has a leading zero", s, id)
			}
			v.Pre = append(v.Pre, id)
		}
	}
	return v, len(parts), nil
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseNum(p string) (uint64, error) {
	if !isNumeric(p) {
		return 0, fmt.Errorf("%q is not a number", p)
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", p)
	}
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", p)
	}
	return n, nil
}

// String formats the version canonically.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	return s
}

// Compare returns -1, 0 or +1 as v orders before, equal to, or after w (semver precedence).
func (v Version) Compare(w Version) int {
	for _, d := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := comparePre(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.Pre) < len(w.Pre):
		return -1
	case len(v.Pre) > len(w.Pre):
		return 1
	}
	return 0
}

func comparePre(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		x, _ := strconv.ParseUint(a, 10, 64)
		y, _ := strconv.ParseUint(b, 10, 64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

// Constraint is a parsed version constraint.
type Constraint struct {
	src  string
	alts [][]bound // any alternative; all bounds within one must hold
}

type bound struct {
	op string // "=", ">", ">=", "<", "<="
	v  Version
}

// ParseConstraint parses a constraint in the syntax of the package documentation.
func ParseConstraint(s string) (Constraint, error) {
	c := Constraint{src: strings.TrimSpace(s)}
	if c.src == "" {
		return c, errors.New("empty version constraint")
	}
	for _, alt := range strings.Split(c.src, "||") {
		fields := strings.Fields(alt)
		if len(fields) == 0 {
			return c, fmt.Errorf("constraint %q: empty alternative", s)
		}
		var bounds []bound
		for _, f := range fields {
			b, err := parseTerm(f)
			if err != nil {
				return c, fmt.Errorf("constraint %q: %v", s, err)
			}
			bounds = append(bounds, b...)
		}
		c.alts = append(c.alts, bounds)
	}
	return c, nil
}

func parseTerm(f string) ([]bound, error) {
	if f == "*" || f == "x" {
		return nil, nil
	}
	for _, op := range []string{">=", "<=", ">", "<", "=", "^", "~"} {
		if !strings.HasPrefix(f, op) {
			continue
		}
		rest := f[len(op):]
		v, n, err := parsePartial(rest)
		if err != nil {
			return nil, err
		}
		switch op {
		case "^":
			return []bound{{">=", v}, {"<", caretUpper(v, n)}}, nil
		case "~":
			return []bound{{">=", v}, {"<", tildeUpper(v, n)}}, nil
		case "=":
			return exact(v, n), nil
		}
		if n != 3 && (op == ">" || op == "<=") {
			// ">1" means ">=2.0.0"; "<=1.2" means "<1.3.0".
			up := partialUpper(v, n)
			if op == ">" {
				return []bound{{">=", up}}, nil
			}
			return []bound{{"<", up}}, nil
		}
		return []bound{{op, v}}, nil
	}
	v, n, err := parsePartial(f)
	if err != nil {
		return nil, err
	}
	return exact(v, n), nil
}

// exact turns "1.2.3" into =1.2.3 and a partial "1.2" into >=1.2.0 <1.3.0.
func exact(v Version, n int) []bound {
	if n == 3 {
		return []bound{{"=", v}}
	}
	return []bound{{">=", v}, {"<", partialUpper(v, n)}}
}

func partialUpper(v Version, n int) Version {
	if n == 1 {
		return Version{Major: v.Major + 1}
	}
	return Version{Major: v.Major, Minor: v.Minor + 1}
}

func caretUpper(v Version, n int) Version {
	switch {
	case v.Major > 0 || n == 1:
		return Version{Major: v.Major + 1}
	case v.Minor > 0 || n == 2:
		return Version{Minor: v.Minor + 1}
	default:
		return Version{Patch: v.Patch + 1}
	}
}

func tildeUpper(v Version, n int) Version {
	if n == 1 {
		return Version{Major: v.Major + 1}
	}
	return Version{Major: v.Major, Minor: v.Minor + 1}
}

// Check reports whether v satisfies the constraint. A pre-release version satisfies only bounds that
// name a pre-release of the same MAJOR.MINOR.PATCH (npm's rule), so "^1" never selects 2.0.0-rc.1 or 1.1.0-rc.1.
func (c Constraint) Check(v Version) bool {
	for _, alt := range c.alts {
		if allHold(alt, v) {
			return true
		}
	}
	return false
}

func allHold(bounds []bound, v Version) bool {
	preAllowed := len(v.Pre) == 0
	for _, b := range bounds {
		cmp := v.Compare(b.v)
		ok := false
		switch b.op {
		case "=":
			ok = cmp == 0
		case ">":
			ok = cmp > 0
		case ">=":
			ok = cmp >= 0
		case "<":
			ok = cmp < 0
		case "<=":
			ok = cmp <= 0
		}
		if !ok {
			return false
		}
		if len(b.v.Pre) > 0 && b.v.Major == v.Major && b.v.Minor == v.Minor && b.v.Patch == v.Patch {
			preAllowed = true
		}
	}
	return preAllowed
}

// String returns the constraint as written.
func (c Constraint) String() string { return c.src }
