package cases

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Publisher is the body that issues the clarification (ClaimReview author).
type Publisher struct {
	Name string // e.g. "Ủy ban nhân dân xã Thường Xuân"
	URL  string // its portal
}

// ClaimReview is the schema.org ClaimReview of a case, as JSON-LD.
type ClaimReview struct {
	Context       string   `json:"@context"`
	Type          string   `json:"@type"`
	URL           string   `json:"url,omitempty"`
	ClaimReviewed string   `json:"claimReviewed"`
	ItemReviewed  claimLD  `json:"itemReviewed"`
	Author        orgLD    `json:"author"`
	ReviewRating  ratingLD `json:"reviewRating"`
	DatePublished string   `json:"datePublished"`
	InLanguage    string   `json:"inLanguage"`
}

type claimLD struct {
	Type            string         `json:"@type"`
	Appearance      []creativeWork `json:"appearance,omitempty"`
	FirstAppearance *creativeWork  `json:"firstAppearance,omitempty"`
	DatePublished   string         `json:"datePublished,omitempty"`
}

type creativeWork struct {
	Type          string `json:"@type"`
	URL           string `json:"url"`
	DatePublished string `json:"datePublished,omitempty"`
}

type orgLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type ratingLD struct {
	Type          string `json:"@type"`
	RatingValue   int    `json:"ratingValue"`
	BestRating    int    `json:"bestRating"`
	WorstRating   int    `json:"worstRating"`
	AlternateName string `json:"alternateName"`
}

// ratingValue maps a verdict on a 1 (false) to 5 (true) scale; unproven is 3.
func ratingValue(v string) int {
	switch v {
	case VerdictFalse:
		return 1
	case VerdictMisleading:
		return 2
	case VerdictTrue:
		return 5
	}
	return 3
}

// BuildClaimReview makes the ClaimReview of a verified case. The
// appearances are the items with a URL; url is the clarification page
// (Clarification.PublishedURL); datePublished its date, else now.
func BuildClaimReview(c Case, pub Publisher, now time.Time) (ClaimReview, error) {
	if c.Verdict == "" {
		return ClaimReview{}, inputError("vụ việc %s chưa có kết luận xác minh", c.ID)
	}
	date := c.Clarification.PublishedAt
	if date.IsZero() {
		date = now
	}
	cr := ClaimReview{Context: "https://schema.org", Type: "ClaimReview", URL: c.Clarification.PublishedURL,
		ClaimReviewed: c.Claim, InLanguage: "vi",
		Author: orgLD{Type: "Organization", Name: pub.Name, URL: pub.URL},
		ReviewRating: ratingLD{Type: "Rating", RatingValue: ratingValue(c.Verdict), BestRating: 5, WorstRating: 1,
			AlternateName: VerdictName(c.Verdict)},
		DatePublished: date.Format("2006-01-02"),
		ItemReviewed:  claimLD{Type: "Claim"},
	}
	for _, it := range c.Items {
		if it.URL == "" {
			continue
		}
		cw := creativeWork{Type: "CreativeWork", URL: it.URL}
		if !it.FirstSeen.IsZero() {
			cw.DatePublished = it.FirstSeen.Format(time.RFC3339)
		}
		cr.ItemReviewed.Appearance = append(cr.ItemReviewed.Appearance, cw)
	}
	if first, ok := c.FirstAppearance(); ok && first.URL != "" {
		cr.ItemReviewed.FirstAppearance = &creativeWork{Type: "CreativeWork", URL: first.URL,
			DatePublished: first.FirstSeen.Format(time.RFC3339)}
		cr.ItemReviewed.DatePublished = first.FirstSeen.Format("2006-01-02")
	}
	return cr, nil
}

var snippetTmpl = template.Must(template.New("snippet").Parse(`<section class="claim-review" lang="vi">
<h2>Thông tin làm rõ: {{.Case.Claim}}</h2>
<p><strong>Kết luận:</strong> {{.Verdict}}</p>
{{range .Paras}}<p>{{.}}</p>
{{end}}<p><em>{{.Author}}</em></p>
<script type="application/ld+json">{{.JSON}}</script>
</section>
`))

// ClaimReviewHTML is the snippet for the own portal's clarification page:
// the clarification text (escaped) and the ClaimReview JSON-LD.
func ClaimReviewHTML(c Case, pub Publisher, now time.Time) ([]byte, error) {
	cr, err := BuildClaimReview(c, pub, now)
	if err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(cr, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("claimreview %s: %w", c.ID, err)
	}
	var paras []string
	for _, p := range strings.Split(c.Clarification.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	var buf bytes.Buffer
	// encoding/json writes <, > and & as \u003c…, so no claim text can close
	// the script element; the JSON is inserted as is.
	err = snippetTmpl.Execute(&buf, map[string]any{"Case": c, "Verdict": VerdictName(c.Verdict), "Paras": paras,
		"Author": pub.Name, "JSON": template.JS(js)})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
