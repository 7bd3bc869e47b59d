package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOfficeDefaultsAndOverride(t *testing.T) {
	def := Default().Office
	if def.Name == "" || def.Abbrev == "" || def.Place == "" || len(def.Recipients) == 0 || def.Signer.Title == "" {
		t.Fatalf("default office incomplete: %+v", def)
	}
	path := filepath.Join(t.TempDir(), "diembao.yaml")
	yml := "office:\n  name: ỦY BAN NHÂN DÂN XÃ VẠN XUÂN\n  signer: {title: PHÓ CHỦ TỊCH, authority: KT. CHỦ TỊCH, name: Lê Thị B}\n  recipients: [Như trên]\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Office
	if o.Name != "ỦY BAN NHÂN DÂN XÃ VẠN XUÂN" || o.Signer.Title != "PHÓ CHỦ TỊCH" || o.Signer.Name != "Lê Thị B" {
		t.Errorf("override not applied: %+v", o)
	}
	if o.Place != def.Place || o.Abbrev != def.Abbrev {
		t.Errorf("keys not in the file lost their defaults: %+v", o)
	}
	if len(o.Recipients) != 1 || o.Recipients[0] != "Như trên" {
		t.Errorf("recipients = %q, want the file's list", o.Recipients)
	}
}

func TestOfficeRejects(t *testing.T) {
	for _, tt := range []struct{ yml, want string }{
		{"office:\n  name: \"\"\n", "office.name"},
		{"office:\n  abbrev: BC/UBND\n", "office.abbrev"},
		{"office:\n  signer: {rank: x}\n", "rank"},
	} {
		path := filepath.Join(t.TempDir(), "diembao.yaml")
		if err := os.WriteFile(path, []byte(tt.yml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, true, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want one naming %s", tt.yml, err, tt.want)
		}
	}
}
