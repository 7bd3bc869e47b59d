package crawler

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// trackingParams are query parameters that never change what a page says.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"zarsrc": true, "gidzl": true, "_ga": true, "_gl": true, "mc_cid": true, "mc_eid": true,
	"igshid": true, "ref_src": true, "cmpid": true, "itm_source": true,
	"itm_medium": true, "itm_campaign": true, "itm_content": true, "vn_source": true,
	"vn_medium": true, "vn_campaign": true, "vn_term": true, "vn_content": true, "ito": true,
	"srsltid": true,
}

// isTrackingParam: the query parameter k never changes what a page says.
func isTrackingParam(k string) bool {
	k = strings.ToLower(k)
	return trackingParams[k] || strings.HasPrefix(k, "utm_")
}

// numericIDHosts: outlets whose article URLs end in a numeric id that stays
// when the slug changes (the site answers 301 to the current slug). The
// canonical URL keeps the id only, so all slugs give one article id.
var numericIDHosts = map[string]*regexp.Regexp{
	"tuoitre.vn": regexp.MustCompile(`-(\d{17,18})\.htm$`),
}

// CanonicalURL cleans a URL into the form article ids are computed from:
// lower-case scheme and host, no default port, no "www." difference, no
// fragment, tracking parameters removed, remaining parameters sorted, and a
// numeric-id form for outlets whose slugs change (Tuổi Trẻ).
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.TrimSpace(raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		u.Host = host + ":" + port
	} else {
		u.Host = host
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if isTrackingParam(k) {
				q.Del(k)
			}
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			vs := q[k]
			sort.Strings(vs)
			for _, v := range vs {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	u.ForceQuery = false
	if re, ok := numericIDHosts[strings.TrimPrefix(host, "www.")]; ok {
		if m := re.FindStringSubmatch(u.Path); m != nil {
			u.Path = "/" + m[1] + ".htm"
			u.RawPath = ""
			u.RawQuery = ""
		}
	}
	return u.String()
}

// sameSite reports whether two URLs are on the same site (ignoring "www.").
func sameSite(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	ha := strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.")
	hb := strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
	return ha != "" && (ha == hb || strings.HasSuffix(ha, "."+hb) || strings.HasSuffix(hb, "."+ha))
}
