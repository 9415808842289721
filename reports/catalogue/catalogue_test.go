package catalogue

import "testing"

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.IDs()) < 102 {
		t.Fatalf("only %d IDs", len(c.IDs()))
	}
	tests := []struct {
		id         string
		area       string
		tier       Tier
		refs       []string
		divergence bool
	}{
		{"BOOT-003", "BOOT", TierDoc, []string{"doc A§baremetal"}, false},
		{"S3-002", "S3", TierUp, []string{"up STOR-S3-08"}, false},
		{"S3-003", "S3", TierDoc, []string{"doc A§storage", "up S3-11"}, false},
		{"STATUS-003", "STATUS", TierUp, []string{"up COND-AV-03", "up PR-02", "up DG-01", "up RM-01"}, false},
		{"CRED-006", "CRED", TierOwn, nil, false},
		{"PRUNE-005", "PRUNE", TierDoc, []string{"doc A§pruner"}, true},
		{"ALERT-001", "ALERT", TierDoc, []string{"doc A§baremetal"}, true},
		{"MGMT-008", "MGMT", TierDoc, []string{"doc B§baremetal"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			b, ok := c.Lookup(tt.id)
			if !ok {
				t.Fatalf("%s not found", tt.id)
			}
			if b.Area != tt.area || b.Tier != tt.tier || b.Divergence != tt.divergence {
				t.Errorf("got area=%s tier=%s divergence=%v", b.Area, b.Tier, b.Divergence)
			}
			var refs []string
			for _, r := range b.Refs {
				refs = append(refs, r.String())
			}
			if len(refs) != len(tt.refs) {
				t.Fatalf("refs %v, want %v", refs, tt.refs)
			}
			for i := range refs {
				if refs[i] != tt.refs[i] {
					t.Errorf("refs %v, want %v", refs, tt.refs)
				}
			}
			if b.Rule == "" || b.Group == "" {
				t.Errorf("empty rule or group: %+v", b)
			}
			if tt.divergence && b.DivergenceNote == "" {
				t.Errorf("no divergence note")
			}
		})
	}
	if _, ok := c.Lookup("NOPE-001"); ok {
		t.Error("Lookup found an unknown ID")
	}
	if d, ok := c.Document("A"); !ok || d.File != "image-registry-operator.txt" {
		t.Errorf("document A: %+v", d)
	}
}
