package web

import (
	"net/url"
	"strings"
)

// localRedirect returns target when a browser would resolve it, relative to
// any page of this UI, to a page of the same origin, and "/" otherwise. It is
// the one check for every redirect target taken from a request (login's
// next=, the ack form's back=, …).
//
// Browsers do more than RFC 3986 before resolving a Location: they drop
// every tab, CR and LF anywhere, strip leading and trailing C0 controls and
// spaces, and read a backslash as a slash. So "/\t/evil.example" and
// "/\evil.example" both mean "//evil.example", another host. The check is
// therefore made on the string as the browser will see it: it must be a
// path-absolute reference ("/" not followed by "/"), with no scheme, host or
// user info, and no control character left. The result is the parsed
// reference re-serialised, so what is checked is what is sent.
func localRedirect(target string) string {
	if target == "" {
		return "/"
	}
	seen := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, target)
	seen = strings.TrimFunc(seen, func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
		return "/"
	}
	if strings.ContainsFunc(seen, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "/"
	}
	if seen != target { // the browser would not see what we checked: refuse rather than guess
		return "/"
	}
	u, err := url.Parse(seen)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	out := u.String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}
