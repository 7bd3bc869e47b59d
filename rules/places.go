package rules

import (
	"slices"
	"strings"
)

// Communes maps gazetteer ids (Result.Places) to the communes of today: a
// commune or town that was merged counts for what it became (through every
// step: Xuân Cẩm → thị trấn Thường Xuân → xã Thường Xuân; one that was split
// counts for each part), an entry naming a commune with its province
// ("Tân Thành, tỉnh Thanh Hóa") counts for that commune. Places that are not
// communes (the district, the border post, landmarks, the Lao side) map to
// nothing. The result is sorted, each id once.
func (s *Set) Communes(places []string) []string {
	return CommunesOf(s.places, places)
}

// CommunesOf is Communes over a gazetteer given as data (Set.Places).
func CommunesOf(gazetteer []Place, places []string) []string {
	byID := make(map[string]*Place, len(gazetteer))
	byName := map[string]string{} // name of a current commune → its id
	for i := range gazetteer {
		p := &gazetteer[i]
		byID[p.ID] = p
		if p.Kind == "commune" && p.ValidUntil == "" && len(p.Became) == 0 {
			for _, n := range p.Names {
				if !strings.Contains(n, ",") {
					byName[strings.ToLower(n)] = p.ID
				}
			}
		}
	}
	var out []string
	var resolve func(id string, depth int)
	resolve = func(id string, depth int) {
		p, ok := byID[id]
		if !ok || depth > 8 || (p.Kind != "commune" && p.Kind != "town") {
			return
		}
		if len(p.Became) > 0 {
			for _, b := range p.Became {
				resolve(b, depth+1)
			}
			return
		}
		if p.ValidUntil != "" {
			return // ended without a successor
		}
		for _, n := range p.Names {
			if head, _, ok := strings.Cut(n, ","); ok {
				if to, ok := byName[strings.ToLower(strings.TrimSpace(head))]; ok && to != p.ID {
					out = append(out, to)
					return
				}
			}
		}
		out = append(out, p.ID)
	}
	for _, id := range places {
		resolve(id, 0)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
