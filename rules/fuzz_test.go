package rules

import (
	"testing"

	"github.com/diembao/diembao/internal/article"
	"github.com/diembao/diembao/internal/textnorm"
)

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`"biên giới" OR Lào`, `title:(a OR "b c") NEAR/3 NOT d`, `((a)`, `"x`, `a NEAR/99999 b`, `NOT NOT a AND b`, `title:title:a`, `“Lào” AND c`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseQuery(q)
		if err != nil {
			if _, ok := err.(*QueryError); !ok {
				t.Fatalf("error %T is not *QueryError", err)
			}
			return
		}
		s := n.String()
		n2, err := parseQuery(s)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", s, q, err)
		}
		if n2.String() != s {
			t.Fatalf("round trip %q → %q", s, n2.String())
		}
	})
}

func FuzzMatch(f *testing.F) {
	s, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, x := range []string{"Đồn Biên phòng Bát Mọt", "Lào Cai lao động", "ເມືອງຊຳໃຕ້ ລາວ", "bie\u0302n gio\u031b\u0301i", "\xff\xfe biên", "cửa khẩu Khẹo – Tha Lấu"} {
		f.Add(x, x)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		r := s.Match(article.Article{Title: title, Body: body})
		texts := map[string]string{FieldTitle: textnorm.Normalize(title), FieldBody: textnorm.Normalize(body)}
		check := func(ts []article.Term) {
			for _, term := range ts {
				src, ok := texts[term.Field]
				if !ok {
					t.Fatalf("field %q", term.Field)
				}
				if term.Start < 0 || term.End > len(src) || term.Start >= term.End || src[term.Start:term.End] != term.Text {
					t.Fatalf("bad term %+v in %q", term, src)
				}
			}
		}
		check(r.AreaTerms)
		for _, m := range r.Matches {
			if len(m.Terms) == 0 {
				t.Fatalf("match %s without terms", m.Rule)
			}
			check(m.Terms)
		}
		if r.Area != (len(r.AreaTerms) > 0) {
			t.Fatalf("area %v with %d terms", r.Area, len(r.AreaTerms))
		}
	})
}
