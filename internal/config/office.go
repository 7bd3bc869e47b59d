package config

import (
	"errors"
	"strings"
)

// Office is the issuing body printed on every document diembao writes for
// officials (digest, report, case letters) in the form of Decree 30/2020: the
// heading block, the number's symbol, the place in the date line, the
// signature block and the default recipients ("Nơi nhận"). The defaults are
// examples for the Thường Xuân commune People's Committee; every office sets
// its own.
type Office struct {
	Parent     string   `yaml:"parent"`     // parent body, e.g. "ỦY BAN NHÂN DÂN TỈNH THANH HÓA"; may be empty
	Name       string   `yaml:"name"`       // issuing body, e.g. "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN"
	Abbrev     string   `yaml:"abbrev"`     // in "Số: 12/BC-UBND", e.g. "UBND"
	Place      string   `yaml:"place"`      // in the date line: "Thường Xuân, ngày …"
	URL        string   `yaml:"url"`        // the body's own portal
	Signer     Signer   `yaml:"signer"`     // who signs
	Recipients []string `yaml:"recipients"` // default Nơi nhận lines; "Lưu: VT" is always added
}

// Signer is the signature block: the authority line (TM., KT., TL., TUQ.;
// may be empty), the title and the name (empty leaves room to write it by hand).
type Signer struct {
	Authority string `yaml:"authority"`
	Title     string `yaml:"title"`
	Name      string `yaml:"name"`
}

// defaultOffice is an example, not a fact: bodies and their names change
// (district level abolished 1 July 2025; departments merged).
func defaultOffice() Office {
	return Office{
		Parent: "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
		Name:   "ỦY BAN NHÂN DÂN XÃ THƯỜNG XUÂN",
		Abbrev: "UBND",
		Place:  "Thường Xuân",
		URL:    "https://thuongxuan.thanhhoa.gov.vn/",
		Signer: Signer{Authority: "TM. ỦY BAN NHÂN DÂN", Title: "CHỦ TỊCH"},
		Recipients: []string{
			"Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
			"Thường trực Đảng ủy xã",
			"Chủ tịch, các Phó Chủ tịch UBND xã",
		},
	}
}

// validate checks the office block: a name is required, the abbreviation
// must fit in a document symbol.
func (o Office) validate() error {
	if strings.TrimSpace(o.Name) == "" {
		return errors.New("office.name must not be empty (the issuing body printed on documents)")
	}
	if strings.ContainsAny(o.Abbrev, "/ \t") {
		return errors.New("office.abbrev must not contain spaces or '/' (it goes in \"Số: 12/BC-UBND\")")
	}
	return nil
}
