package rules

import "github.com/diembao/diembao/internal/textnorm"

func normalize(s string) string { return textnorm.Normalize(s) }
